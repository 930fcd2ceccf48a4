import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { DELIVERY_STATES, type DeliveryState } from '../webhook-delivery.entity';
import type { WebhookEndpoint } from '../webhook-endpoint.entity';
import { SUBSCRIBABLE_EVENT_TYPES } from '../event-types';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://lms.example.edu/hooks/assessment',
    maxLength: 2048,
    format: 'uri',
    description:
      'https; in production its host must resolve to public addresses only. Outside production http is allowed ' +
      'to localhost only. No user name or password in the URL.',
  })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  url: string;

  @ApiProperty({ enum: SUBSCRIBABLE_EVENT_TYPES, isArray: true, example: ['attempt.graded', 'progress.completed'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSCRIBABLE_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE_EVENT_TYPES, { each: true })
  eventTypes: string[];

  @ApiPropertyOptional({ maxLength: 500, example: 'Moodle gradebook sync' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ enum: SUBSCRIBABLE_EVENT_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSCRIBABLE_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE_EVENT_TYPES, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ description: 'false disables the endpoint; true enables it again (and clears its failures)' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ReplayDto {
  @ApiProperty({ format: 'date-time', description: 'Every event since this time, within the retention period' })
  @IsDateString({ strict: true })
  since: string;
}

export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: SUBSCRIBABLE_EVENT_TYPES, isArray: true }) eventTypes: string[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Failing without a success since' })
  failingSince: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The old secret signs too until then',
  })
  previousSecretExpiresAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class WebhookWithSecretDto extends WebhookResponseDto {
  @ApiProperty({ description: 'The signing secret, shown this once (Standard Webhooks `whsec_…`)', example: 'whsec_…' })
  secret: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookResponseDto] }) items: WebhookResponseDto[];
}

export class EventTypeDto {
  @ApiProperty({ example: 'attempt.graded' }) type: string;
  @ApiProperty() description: string;
  @ApiProperty({
    description: 'The schema of `data` in this document',
    example: '#/components/schemas/AttemptEventDto',
  })
  dataSchema: string;
  @ApiProperty({ description: 'False for webhook.test, sent on request only' }) subscribable: boolean;
}

export class EventTypeListDto {
  @ApiProperty({ type: [EventTypeDto] }) items: EventTypeDto[];
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'Sent as webhook-id' }) eventId: string;
  @ApiProperty() eventType: string;
  @ApiProperty({ enum: DELIVERY_STATES }) state: DeliveryState;
  @ApiProperty({ description: 'Tries so far' }) attempts: number;
  @ApiProperty({ type: Number, nullable: true }) lastStatus: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'First bytes of the last answer, or what went wrong' })
  lastResponse: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null unless pending' })
  nextAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryDto], description: 'The latest 100, newest first' }) items: DeliveryDto[];
}

export class QueuedDto {
  @ApiProperty({ description: 'Deliveries queued' }) queued: number;
}

export function toWebhookResponse(endpoint: WebhookEndpoint): WebhookResponseDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.disabledAt === null,
    failingSince: endpoint.failingSince?.toISOString() ?? null,
    disabledAt: endpoint.disabledAt?.toISOString() ?? null,
    previousSecretExpiresAt:
      endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date()
        ? endpoint.previousSecretExpiresAt.toISOString()
        : null,
    createdAt: endpoint.createdAt.toISOString(),
  };
}
