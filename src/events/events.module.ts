import { DeliveryDestinations } from './delivery-destinations';
import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MetricsModule } from '../metrics/metrics.module';
import { EventsService } from './events.service';
import { ProgressUpdates } from './progress-updates';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';
import { XapiDestination } from './xapi/xapi-destination';
import { XapiSources } from './xapi/xapi-sources';
import { XapiStatementsController } from './xapi/xapi-statements.controller';
import { XapiStatementsService } from './xapi/xapi-statements.service';

/** Events out: the transactional outbox (any module emits through EventsService), webhook and xAPI delivery. */
@Global()
@Module({
  imports: [MetricsModule, AuthModule],
  controllers: [WebhooksController, XapiStatementsController],
  providers: [
    DeliveryDestinations,
    EventsService,
    ProgressUpdates,
    WebhooksService,
    WebhookDispatcher,
    XapiDestination,
    XapiSources,
    XapiStatementsService,
  ],
  exports: [EventsService, ProgressUpdates, DeliveryDestinations],
})
export class EventsModule {}
