import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DemoUsersSeeder } from './demo-users.seeder';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [AuthModule],
  controllers: [UsersController],
  providers: [UsersService, DemoUsersSeeder],
  exports: [UsersService],
})
export class UsersModule {}
