import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { EventsService } from './events.service';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Events out: the transactional outbox (any module emits through EventsService) and webhook delivery. */
@Global()
@Module({
  imports: [MetricsModule],
  controllers: [WebhooksController],
  providers: [EventsService, WebhooksService, WebhookDispatcher],
  exports: [EventsService],
})
export class EventsModule {}
