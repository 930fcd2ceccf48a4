import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { PASSBACK_STATES } from '../entities/lti-passback.entity';

export class PassbackDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ type: String, nullable: true, description: 'The person’s id on the platform' }) platformUserId:
    string | null;
  @ApiProperty({ format: 'uuid', description: 'The resource link (our id)' }) resourceLinkId: string;
  @ApiProperty({ type: String, nullable: true }) linkTitle: string | null;
  @ApiProperty({ example: '05-monitoring-logging-and-incident-response' }) moduleSlug: string;
  @ApiProperty({
    enum: PASSBACK_STATES,
    description: '`synced`: the platform took the last score; `pending`: being retried; `failed`: given up',
  })
  state: string;
  @ApiProperty({
    description: 'The last score sent: activityProgress, gradingProgress, scoreGiven and scoreMaximum (a percentage)',
    type: 'object',
    additionalProperties: true,
  })
  lastScore: Record<string, unknown>;
  @ApiProperty({ format: 'date-time', description: 'Its `timestamp`' }) lastTimestamp: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The platform’s last HTTP status' }) lastStatus:
    number | null;
  @ApiProperty({ type: String, nullable: true, description: 'The first bytes of its answer, or what went wrong' })
  lastResponse: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class PassbackPageDto {
  @ApiProperty({ type: [PassbackDto] }) items: PassbackDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class RetryPassbackDto {
  @ApiProperty({ format: 'uuid', description: 'The learner whose score is sent again (their standing now)' })
  @IsUUID()
  userId: string;
}

export class PassbackQueuedDto {
  @ApiProperty({ description: 'Deliveries queued (0 when the learner has no score to send)' }) queued: number;
}
