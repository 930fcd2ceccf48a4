import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SYSTEM_CALLER, type Role } from '../auth/access.types';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { User } from './user.entity';
import { UsersService } from './users.service';

const DEMO_USERS: { email: string; displayName: string; roles: Role[] }[] = [
  { email: 'admin@demo.local', displayName: 'Demo Admin', roles: ['admin'] },
  { email: 'instructor@demo.local', displayName: 'Demo Instructor', roles: ['instructor'] },
  { email: 'learner1@demo.local', displayName: 'Demo Learner One', roles: ['learner'] },
  { email: 'learner2@demo.local', displayName: 'Demo Learner Two', roles: ['learner'] },
];

/**
 * On the first start of an empty embedded database (never in production),
 * creates demo users and prints their passwords once, so a newcomer can try
 * the API at once.
 */
@Injectable()
export class DemoUsersSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoUsers');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap() {
    if (!this.config.demoUsers || this.config.env === 'production') return;
    if ((await this.dataSource.getRepository(User).count({ withDeleted: true })) > 0) return;
    const lines: string[] = [];
    for (const demo of DEMO_USERS) {
      const password = randomBytes(12).toString('base64url');
      await this.users.create(SYSTEM_CALLER, { ...demo, password });
      lines.push(`  ${demo.roles[0].padEnd(10)} ${demo.email.padEnd(24)} ${password}`);
    }
    this.logger.warn('demo users created on this first start; their passwords are printed once, on stdout');
    process.stdout.write(
      `\nDemo users (shown once; sign in with POST /v1/auth/token grant_type=password):\n${lines.join('\n')}\n\n`,
    );
  }
}
