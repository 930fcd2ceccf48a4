import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../auth/access.types';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { PageQueryDto } from '../common/http/pagination';
import { ClientsService } from './clients.service';
import { ClientPageDto, ClientResponseDto, CreateClientDto, CreatedClientResponseDto } from './dto/client.dto';

@ApiTags('clients')
@ApiProblems()
@Authenticated({ roles: ['admin'] })
@Controller('v1/clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @ApiOperation({ summary: 'Register a machine client; the secret is shown once' })
  @ApiCreatedResponse({ type: CreatedClientResponseDto })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateClientDto) {
    return this.clients.create(caller, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List machine clients, newest first' })
  @ApiOkResponse({ type: ClientPageDto })
  list(@Query() query: PageQueryDto) {
    return this.clients.list(query);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a machine client; its tokens stop working' })
  @ApiOkResponse({ type: ClientResponseDto })
  @ApiProblem(404, 'No such client')
  revoke(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.clients.revoke(caller, id);
  }
}
