import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DemoUsersSeeder } from './demo-users.seeder';
import { UsersController } from './users.controller';
import { AttemptsModule } from '../attempts/attempts.module';
import { PersonalDataService } from './personal-data.service';
import { UsersService } from './users.service';

@Module({
  imports: [AuthModule, AttemptsModule],
  controllers: [UsersController],
  providers: [UsersService, PersonalDataService, DemoUsersSeeder],
  exports: [UsersService],
})
export class UsersModule {}
