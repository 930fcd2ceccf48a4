import { Injectable } from '@nestjs/common';
import type { EndpointKind } from './webhook-endpoint.entity';

/** How one try of a delivery ended: the dispatcher records it, retries it, or gives up. */
export type DeliveryOutcome =
  | { kind: 'delivered'; status: number | null; excerpt: string }
  | { kind: 'retry'; status: number | null; excerpt: string; retryAfterSeconds?: number }
  | { kind: 'final'; status: number | null; excerpt: string };

/** A claimed delivery as a destination sees it: the event. */
export interface DestinationDelivery {
  deliveryId: string;
  eventId: string;
  type: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** A destination of the delivery queue other than webhooks and the LRS, which the dispatcher knows itself. */
export interface DeliveryDestination {
  deliver(delivery: DestinationDelivery): Promise<DeliveryOutcome>;
}

/**
 * The destinations other modules add to the one delivery path (the LTI score
 * passback): the dispatcher keeps retries, ordering per learner, logs and
 * metrics; a destination only sends. Registered at start, by kind.
 */
@Injectable()
export class DeliveryDestinations {
  private readonly byKind = new Map<EndpointKind, DeliveryDestination>();

  register(kind: EndpointKind, destination: DeliveryDestination): void {
    this.byKind.set(kind, destination);
  }

  get(kind: EndpointKind): DeliveryDestination | undefined {
    return this.byKind.get(kind);
  }
}
