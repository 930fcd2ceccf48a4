import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Caller } from '../auth/access.types';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { CohortsService } from '../cohorts/cohorts.service';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { decodeOffsetCursor, encodeOffsetCursor, PageQueryDto } from '../common/http/pagination';
import { PassbackDto, PassbackPageDto, PassbackQueuedDto, RetryPassbackDto } from './dto/passback.dto';
import { PASSBACK_EVENT_TYPES } from './lti-passback.service';

interface PassbackRow {
  user_id: string;
  display_name: string;
  sub: string | null;
  resource_link_id: string;
  title: string | null;
  slug: string;
  state: string;
  last_score: Record<string, unknown>;
  last_timestamp: Date;
  last_status: number | null;
  last_response: string | null;
  updated_at: Date;
}

/** What the platform's gradebook has of a cohort's launched learners, and sending a score again. */
@ApiTags('lti')
@ApiProblems()
@Authenticated({ roles: ['instructor', 'admin'], scopes: ['cohorts:read', 'cohorts:write'] })
@Controller('v1/cohorts/:id/lti-passbacks')
export class LtiPassbacksController {
  constructor(
    private readonly cohorts: CohortsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Score passback to the LMS per learner and link: synced, pending or failed with the platform’s answer',
    description: 'Failed and pending first, then by learner. Instructors see the cohorts they teach.',
  })
  @ApiOkResponse({ type: PassbackPageDto })
  @ApiProblem(404, 'No such cohort (or not one the caller teaches)')
  async list(@CurrentCaller() caller: Caller, @Param('id') id: string, @Query() query: PageQueryDto) {
    const cohort = await this.cohorts.findFor(caller.principal, id, 'read');
    const offset = decodeOffsetCursor(query.cursor, 'lti-passbacks');
    const rows = await this.dataSource.query<PassbackRow[]>(
      `SELECT p.user_id, u.display_name, i.sub, p.resource_link_id, l.title, m.slug, p.state, p.last_score,
              p.last_timestamp, p.last_status, p.last_response, p.updated_at
         FROM lti_contexts c
         JOIN lti_resource_links l ON l.context_id = c.id
         JOIN lti_passbacks p ON p.resource_link_id = l.id
         JOIN users u ON u.id = p.user_id
         JOIN modules m ON m.id = l.module_id
         LEFT JOIN lti_identities i ON i.platform_id = l.platform_id AND i.user_id = p.user_id
        WHERE c.cohort_id = $1
        ORDER BY CASE p.state WHEN 'failed' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, u.display_name, p.user_id, l.id
        LIMIT $2 OFFSET $3`,
      [cohort.id, query.limit + 1, offset],
    );
    const items = rows.slice(0, query.limit).map(toPassbackDto);
    return {
      items,
      nextCursor: rows.length > query.limit ? encodeOffsetCursor(offset + query.limit, 'lti-passbacks') : null,
    };
  }

  @Post('retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a learner’s score to the LMS again now (their standing as it is), through the delivery queue',
  })
  @ApiAcceptedResponse({ type: PassbackQueuedDto })
  @ApiProblem(404, 'No such cohort, or the learner has no score passback in it')
  async retry(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: RetryPassbackDto) {
    const cohort = await this.cohorts.findFor(caller.principal, id, 'read');
    // The learner's latest attempt event goes out again: what is sent is their standing when it is sent.
    const rows = await this.dataSource.query<unknown[]>(
      `WITH latest AS (
         SELECT e.id, e.seq, e.ordering_key FROM events e
          WHERE e.ordering_key = 'user:' || $2::text AND e.type = ANY ($3)
            AND EXISTS (SELECT 1 FROM lti_passbacks p JOIN lti_resource_links l ON l.id = p.resource_link_id
                          JOIN lti_contexts c ON c.id = l.context_id
                         WHERE p.user_id = $2::text::uuid AND c.cohort_id = $1)
          ORDER BY e.seq DESC LIMIT 1)
       INSERT INTO webhook_deliveries (endpoint_id, event_id, event_seq, ordering_key)
       SELECT w.id, latest.id, latest.seq, latest.ordering_key FROM latest, webhook_endpoints w WHERE w.kind = 'lti_ags'
       ON CONFLICT (endpoint_id, event_id) DO UPDATE
          SET state = 'pending', next_attempt_at = now(), leased_until = NULL, attempts = 0
       RETURNING 1`,
      [cohort.id, dto.userId, PASSBACK_EVENT_TYPES],
    );
    return { queued: rows.length };
  }
}

function toPassbackDto(row: PassbackRow): PassbackDto {
  return {
    userId: row.user_id,
    displayName: row.display_name,
    platformUserId: row.sub,
    resourceLinkId: row.resource_link_id,
    linkTitle: row.title,
    moduleSlug: row.slug,
    state: row.state,
    lastScore: row.last_score,
    lastTimestamp: row.last_timestamp.toISOString(),
    lastStatus: row.last_status,
    lastResponse: row.last_response,
    updatedAt: row.updated_at.toISOString(),
  };
}
