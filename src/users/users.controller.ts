import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Caller } from '../auth/access.types';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import {
  CreateUserDto,
  ListUsersQueryDto,
  UpdateMeDto,
  UpdateUserDto,
  UpsertUserByExternalIdDto,
  UpsertUserResponseDto,
  UserPageDto,
  UserResponseDto,
  EXTERNAL_ID,
} from './dto/user.dto';
import { DeleteUserQueryDto, PersonalDataExportDto } from './dto/personal-data.dto';
import { PersonalDataService } from './personal-data.service';
import { UsersService } from './users.service';

const userIdParam = ApiParam({ name: 'id', description: 'User id, or `me` for the caller' });

@ApiTags('users')
@ApiProblems()
@Controller('v1/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly personalData: PersonalDataService,
  ) {}

  @Post()
  @Authenticated({ roles: ['admin'], scopes: ['users:write'] })
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiProblem(409, 'The email or external id is taken')
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateUserDto) {
    return this.users.create(caller, dto);
  }

  @Get()
  @Authenticated({ roles: ['admin'], scopes: ['users:read', 'users:write'] })
  @ApiOperation({ summary: 'List users, newest first' })
  @ApiOkResponse({ type: UserPageDto })
  list(@Query() query: ListUsersQueryDto) {
    return this.users.list(query);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The calling person' })
  @ApiOkResponse({ type: UserResponseDto })
  me(@CurrentCaller() caller: Caller) {
    return this.users.get(caller, 'me');
  }

  @Patch('me')
  @Authenticated()
  @ApiOperation({ summary: 'Change your own name or password' })
  @ApiOkResponse({ type: UserResponseDto })
  updateMe(@CurrentCaller() caller: Caller, @Body() dto: UpdateMeDto) {
    return this.users.updateMe(caller, dto);
  }

  @Put('by-external-id/:externalId')
  @ApiParam({ name: 'externalId', schema: { type: 'string', pattern: EXTERNAL_ID.source } })
  @Authenticated({ roles: ['admin'], scopes: ['users:write'] })
  @ApiOperation({ summary: 'Create or update a user by the LMS’s id (roster sync)' })
  @ApiOkResponse({ type: UpsertUserResponseDto })
  @ApiProblem(409, 'The email belongs to another user')
  upsertByExternalId(
    @CurrentCaller() caller: Caller,
    @Param('externalId') externalId: string,
    @Body() dto: UpsertUserByExternalIdDto,
  ) {
    return this.users.upsertByExternalId(caller, externalId, dto);
  }

  @Get(':id')
  @Authenticated({ scopes: ['users:read', 'users:write'] })
  @userIdParam
  @ApiOperation({ summary: 'A user: yourself, or (admins, instructors of their cohorts, clients) others' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblem(404, 'No such user, or not visible to the caller')
  get(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.users.get(caller, id);
  }

  @Get(':id/export')
  @Authenticated({ scopes: ['users:read', 'users:write'] })
  @userIdParam
  @ApiOperation({
    summary: 'Everything held about a person, as JSON (their right of access)',
    description: 'The person themself, admins, and clients with users:read or users:write. Audited.',
  })
  @ApiOkResponse({ type: PersonalDataExportDto })
  @ApiProblem(404, 'No such user, or not the caller’s to export')
  export(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.personalData.export(caller, id);
  }

  @Patch(':id')
  @Authenticated({ roles: ['admin'], scopes: ['users:write'] })
  @userIdParam
  @ApiOperation({ summary: 'Update a user (roles included)' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblem(404, 'No such user')
  @ApiProblem(409, 'The email or external id belongs to another user')
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: UpdateUserDto) {
    return this.users.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ roles: ['admin'], scopes: ['users:write'] })
  @userIdParam
  @ApiOperation({
    summary: 'Delete a user; their tokens stop working. With erase=true, erase their personal data too',
    description:
      'Erasure pseudonymises the person and removes what they wrote; attempts and scores stay, without identity, ' +
      'so cohort statistics keep their counts (README, "Personal data"). Audited. An erased person is 404.',
  })
  @ApiNoContentResponse({ description: 'Deleted (or erased)' })
  @ApiProblem(404, 'No such user')
  async remove(@CurrentCaller() caller: Caller, @Param('id') id: string, @Query() query: DeleteUserQueryDto) {
    if (query.erase === 'true') {
      // Same rights as deleting; a deleted person may still be erased.
      return this.personalData.erase(caller, await this.users.assertMayDelete(caller, id));
    }
    return this.users.remove(caller, id);
  }
}
