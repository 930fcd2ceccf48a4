import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Inject } from '@nestjs/common';
import type { Caller } from '../auth/access.types';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import {
  CreatePlatformDto,
  PlatformDto,
  PlatformListDto,
  ToolConfigurationDto,
  UpdatePlatformDto,
} from './dto/platform.dto';
import { KeyRotatedDto } from './dto/jwks.dto';
import { LtiKeysService } from './lti-keys.service';
import { LtiPlatformsService } from './lti-platforms.service';
import { toolUrls } from './tool-urls';

/** Admins register the LMSs that launch the tool, and read what to type into them. */
@ApiTags('lti')
@ApiProblems()
@Authenticated({ roles: ['admin'] })
@Controller('v1/lti')
export class LtiPlatformsController {
  constructor(
    private readonly platforms: LtiPlatformsService,
    private readonly keys: LtiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('tool')
  @ApiOperation({ summary: 'The tool’s URLs, as an LMS asks for them when the tool is registered there' })
  @ApiOkResponse({ type: ToolConfigurationDto })
  tool(@Req() request: FastifyRequest): ToolConfigurationDto {
    return toolUrls(this.config, request);
  }

  @Post('platforms')
  @ApiOperation({ summary: 'Register a platform (an LMS) whose launches the tool accepts' })
  @ApiCreatedResponse({ type: PlatformDto })
  @ApiProblem(409, 'A platform with this issuer and client id is already registered')
  create(@CurrentCaller() caller: Caller, @Body() dto: CreatePlatformDto) {
    return this.platforms.create(caller, dto);
  }

  @Get('platforms')
  @ApiOperation({ summary: 'The registered platforms, newest first' })
  @ApiOkResponse({ type: PlatformListDto })
  list() {
    return this.platforms.list();
  }

  @Get('platforms/:id')
  @ApiOperation({ summary: 'One registered platform' })
  @ApiOkResponse({ type: PlatformDto })
  @ApiProblem(404, 'No such platform')
  get(@Param('id') id: string) {
    return this.platforms.get(id);
  }

  @Patch('platforms/:id')
  @ApiOperation({ summary: 'Change a platform’s name, deployments or URLs (its issuer and client id stay)' })
  @ApiOkResponse({ type: PlatformDto })
  @ApiProblem(404, 'No such platform')
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: UpdatePlatformDto) {
    return this.platforms.update(caller, id, dto);
  }

  @Delete('platforms/:id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a platform: its launches stop; the users and cohorts its launches made stay',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblem(404, 'No such platform')
  remove(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.platforms.remove(caller, id);
  }

  @Post('keys/rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Make a new signing key for the tool; the old one stays published at /lti/jwks for a day',
  })
  @ApiOkResponse({ type: KeyRotatedDto })
  rotate(@CurrentCaller() caller: Caller) {
    return this.keys.rotate(caller);
  }
}
