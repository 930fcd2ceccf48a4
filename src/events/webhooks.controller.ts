import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Caller } from '../auth/access.types';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import {
  CreateWebhookDto,
  DeliveryListDto,
  EventTypeListDto,
  QueuedDto,
  ReplayDto,
  UpdateWebhookDto,
  WebhookListDto,
  WebhookResponseDto,
  WebhookWithSecretDto,
} from './dto/webhook.dto';
import { EVENT_CATALOGUE, EVENT_DATA_MODELS, EVENT_TYPES } from './event-types';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiProblems()
@ApiExtraModels(...EVENT_DATA_MODELS)
@Authenticated({ roles: ['admin'], scopes: ['webhooks:write'] })
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook endpoint; its signing secret is shown once',
    description:
      'Deliveries follow the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature). ' +
      'https only in production, to public addresses.',
  })
  @ApiCreatedResponse({ type: WebhookWithSecretDto })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateWebhookDto) {
    return this.webhooks.create(caller, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List webhook endpoints, newest first' })
  @ApiOkResponse({ type: WebhookListDto })
  list() {
    return this.webhooks.list();
  }

  @Get('event-types')
  @ApiOperation({ summary: 'The event types, each with the schema of its data' })
  @ApiOkResponse({ type: EventTypeListDto })
  eventTypes(): EventTypeListDto {
    return {
      items: EVENT_TYPES.map((type) => ({
        type,
        description: EVENT_CATALOGUE[type].description,
        dataSchema: `#/components/schemas/${EVENT_CATALOGUE[type].data.name}`,
        subscribable: type !== 'webhook.test',
      })),
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A webhook endpoint' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiProblem(404, 'No such webhook endpoint')
  get(@Param('id') id: string) {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an endpoint’s URL, event types or description, or disable and enable it' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiProblem(404, 'No such webhook endpoint')
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: UpdateWebhookDto) {
    return this.webhooks.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an endpoint and its delivery log' })
  @ApiNoContentResponse()
  @ApiProblem(404, 'No such webhook endpoint')
  async remove(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(caller, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new signing secret, shown once; the old one also signs for 24 hours' })
  @ApiOkResponse({ type: WebhookWithSecretDto })
  @ApiProblem(404, 'No such webhook endpoint')
  rotateSecret(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.webhooks.rotateSecret(caller, id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a webhook.test event to this endpoint' })
  @ApiAcceptedResponse({ type: QueuedDto })
  @ApiProblem(404, 'No such webhook endpoint')
  test(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.webhooks.sendTest(caller, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'The latest deliveries to this endpoint: state, tries, last answer, next try' })
  @ApiOkResponse({ type: DeliveryListDto })
  @ApiProblem(404, 'No such webhook endpoint')
  deliveries(@Param('id') id: string) {
    return this.webhooks.deliveries(id);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivery again now, with the same webhook-id' })
  @ApiAcceptedResponse({ type: QueuedDto })
  @ApiProblem(404, 'No such webhook endpoint or delivery')
  retry(@CurrentCaller() caller: Caller, @Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    return this.webhooks.retry(caller, id, deliveryId);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send again every event since a time (of the types the endpoint takes)' })
  @ApiAcceptedResponse({ type: QueuedDto })
  @ApiProblem(404, 'No such webhook endpoint')
  replay(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: ReplayDto) {
    return this.webhooks.replay(caller, id, dto);
  }
}
