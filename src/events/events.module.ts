import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { EventsService } from './events.service';
import { ProgressUpdates } from './progress-updates';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Events out: the transactional outbox (any module emits through EventsService) and webhook delivery. */
@Global()
@Module({
  imports: [MetricsModule],
  controllers: [WebhooksController],
  providers: [EventsService, ProgressUpdates, WebhooksService, WebhookDispatcher],
  exports: [EventsService, ProgressUpdates],
})
export class EventsModule {}
