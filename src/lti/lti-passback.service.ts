import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  type DeliveryDestination,
  DeliveryDestinations,
  type DeliveryOutcome,
  type DestinationDelivery,
} from '../events/delivery-destinations';
import { SCORE_MAXIMUM } from './lti-deep-linking.service';
import { LtiPlatformCalls } from './lti-platform-calls';
import type { PassbackState } from './entities/lti-passback.entity';
import { type CallOutcome, PlatformCallError, type PlatformRef, type Score } from './platform-clients';

/** The events after which a launched learner's standing on a quiz may have changed. */
export const PASSBACK_EVENT_TYPES = ['attempt.started', 'attempt.submitted', 'attempt.graded', 'attempt.grade_changed'];
const EXCERPT_BYTES = 1_024;

interface LinkRow {
  link_id: string;
  resource_link_id: string;
  line_item_url: string | null;
  line_items_url: string | null;
  title: string | null;
  slug: string;
  sub: string;
  platform_id: string;
  issuer: string;
  client_id: string;
  token_url: string;
  token_audience: string | null;
}

type Standing = Pick<Score, 'activityProgress' | 'gradingProgress' | 'scoreGiven' | 'scoreMaximum'>;

/**
 * LTI Assignment and Grade Services score passback, as a destination of the
 * one delivery path: each attempt event of a learner who came in by a launch
 * becomes a score on the line item of every resource link that opens that
 * module in a course the learner is in. The score sent is the learner's
 * standing when it is sent (the counted grade, and where the latest attempt
 * is), not the event's snapshot, so a retried or late event never sends a
 * stale grade; and each score's timestamp is later than the last one sent
 * for that learner and line item, as platforms require. Retries, ordering
 * per learner and the delivery log are the dispatcher's.
 */
@Injectable()
export class LtiPassbackService implements DeliveryDestination, OnApplicationBootstrap {
  private readonly logger = new Logger('LtiPassback');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly destinations: DeliveryDestinations,
    private readonly calls: LtiPlatformCalls,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.destinations.register('lti_ags', this);
    // One row for every instance: the partial unique index on kind makes a second insert a no-op.
    await this.dataSource.query(
      `INSERT INTO webhook_endpoints (kind, url, description, event_types, secret_ciphertext, created_by)
       VALUES ('lti_ags', 'lti:ags', 'LTI score passback (AGS)', $1, '-', 'system:lti')
       ON CONFLICT (kind) WHERE kind = 'lti_ags' DO UPDATE SET event_types = EXCLUDED.event_types`,
      [PASSBACK_EVENT_TYPES],
    );
  }

  async deliver(delivery: DestinationDelivery): Promise<DeliveryOutcome> {
    const data = delivery.data as { user?: { id?: string }; module?: { id?: string }; quizId?: string };
    const learnerId = data.user?.id;
    const moduleId = data.module?.id;
    if (!learnerId || !moduleId || !data.quizId) return { kind: 'delivered', status: null, excerpt: 'nothing to send' };
    const links = await this.dataSource.query<LinkRow[]>(
      `SELECT l.id AS link_id, l.resource_link_id, l.line_item_url, c.line_items_url, l.title, m.slug, i.sub,
              p.id AS platform_id, p.issuer, p.client_id, p.token_url, p.token_audience
         FROM lti_resource_links l
         JOIN lti_contexts c ON c.id = l.context_id
         JOIN lti_platforms p ON p.id = l.platform_id
         JOIN lti_identities i ON i.platform_id = l.platform_id AND i.user_id = $1
         JOIN cohort_members cm ON cm.cohort_id = c.cohort_id AND cm.user_id = $1 AND cm.role = 'learner'
         JOIN modules m ON m.id = l.module_id
        WHERE l.module_id = $2
        ORDER BY l.id`,
      [learnerId, moduleId],
    );
    if (links.length === 0) {
      return {
        kind: 'delivered',
        status: null,
        excerpt: 'nothing to send: no LTI link of this learner opens the module',
      };
    }
    const standing = await this.standing(learnerId, data.quizId, moduleId);
    const outcomes: CallOutcome[] = [];
    for (const link of links) outcomes.push(await this.sendTo(link, learnerId, standing));
    return combine(outcomes);
  }

  /** Where the learner stands on the quiz now: the latest attempt's state and the counted grade. */
  private async standing(learnerId: string, quizId: string, moduleId: string): Promise<Standing> {
    const [row] = await this.dataSource.query<{ state: string | null; counted: number | null }[]>(
      `SELECT (SELECT state FROM attempts WHERE user_id = $1 AND quiz_id = $2 ORDER BY number DESC LIMIT 1) AS state,
              (SELECT counted_score FROM module_progress WHERE user_id = $1 AND module_id = $3)::float8 AS counted`,
      [learnerId, quizId, moduleId],
    );
    const grade =
      row.counted === null
        ? {}
        : { scoreGiven: Math.round(row.counted * SCORE_MAXIMUM * 100) / 100, scoreMaximum: SCORE_MAXIMUM };
    const graded = row.counted === null ? 'NotReady' : 'FullyGraded';
    switch (row.state) {
      case 'in_progress':
        return { activityProgress: 'Started', gradingProgress: graded, ...grade };
      case 'submitted':
        return { activityProgress: 'Submitted', gradingProgress: 'Pending', ...grade };
      case 'pending_grading':
        return { activityProgress: 'Submitted', gradingProgress: 'PendingManual', ...grade };
      case null:
        return { activityProgress: 'Initialized', gradingProgress: 'NotReady' };
      default:
        return { activityProgress: 'Completed', gradingProgress: graded, ...grade };
    }
  }

  private async sendTo(link: LinkRow, learnerId: string, standing: Standing): Promise<CallOutcome> {
    const platform: PlatformRef = {
      id: link.platform_id,
      issuer: link.issuer,
      clientId: link.client_id,
      tokenUrl: link.token_url,
      tokenAudience: link.token_audience,
    };
    // Later than the last score sent for this learner and line item, even within one millisecond.
    const [{ last_timestamp: timestamp }] = await this.dataSource.query<{ last_timestamp: Date }[]>(
      `INSERT INTO lti_passbacks (resource_link_id, user_id, state, last_timestamp, last_score)
       VALUES ($1, $2, 'pending', now(), $3)
       ON CONFLICT (resource_link_id, user_id) DO UPDATE
          SET last_timestamp = greatest(now(), lti_passbacks.last_timestamp + interval '1 millisecond'),
              last_score = EXCLUDED.last_score, updated_at = now()
       RETURNING last_timestamp`,
      [link.link_id, learnerId, JSON.stringify(standing)],
    );
    let outcome: CallOutcome;
    try {
      const lineItemUrl = await this.lineItem(link, platform);
      outcome = lineItemUrl
        ? await this.calls.ags.postScore(platform, lineItemUrl, {
            userId: link.sub,
            ...standing,
            timestamp: timestamp.toISOString(),
          })
        : { kind: 'final', status: null, excerpt: 'not sent: the platform offers no grade service for this link' };
    } catch (error) {
      if (!(error instanceof PlatformCallError)) throw error;
      outcome = error.outcome;
    }
    const state: PassbackState = outcome.kind === 'ok' ? 'synced' : outcome.kind === 'retry' ? 'pending' : 'failed';
    await this.dataSource.query(
      `UPDATE lti_passbacks SET state = $3, last_status = $4, last_response = $5, updated_at = now()
        WHERE resource_link_id = $1 AND user_id = $2`,
      [link.link_id, learnerId, state, outcome.status, outcome.excerpt.slice(0, EXCERPT_BYTES)],
    );
    if (outcome.kind !== 'ok') {
      this.logger.warn(
        { resourceLinkId: link.link_id, status: outcome.status, kind: outcome.kind },
        'score passback not taken',
      );
    }
    return outcome;
  }

  /**
   * The link's line item: the one the launch named, else found or created in the context's container
   * and kept. The row stays locked meanwhile, so two learners' first scores make one line item.
   */
  private async lineItem(link: LinkRow, platform: PlatformRef): Promise<string | null> {
    if (link.line_item_url) return link.line_item_url;
    if (!link.line_items_url) return null;
    return this.dataSource.transaction(async (manager) => {
      const [row] = await manager.query<{ line_item_url: string | null }[]>(
        `SELECT line_item_url FROM lti_resource_links WHERE id = $1 FOR UPDATE`,
        [link.link_id],
      );
      if (row?.line_item_url) return row.line_item_url;
      const label = link.title ?? link.slug;
      const url = await this.calls.ags.findOrCreateLineItem(platform, link.line_items_url!, {
        resourceLinkId: link.resource_link_id,
        resourceId: `module:${link.slug}`,
        label,
        scoreMaximum: SCORE_MAXIMUM,
      });
      await manager.query(`UPDATE lti_resource_links SET line_item_url = $2, updated_at = now() WHERE id = $1`, [
        link.link_id,
        url,
      ]);
      return url;
    });
  }
}

/** One outcome for the delivery: delivered when every platform took it; retried when any may still. */
function combine(outcomes: CallOutcome[]): DeliveryOutcome {
  const excerpt = outcomes.map((outcome) => `${outcome.status ?? '-'} ${outcome.excerpt}`.trim()).join(' | ');
  const last = outcomes.at(-1)!;
  if (outcomes.every((outcome) => outcome.kind === 'ok')) return { kind: 'delivered', status: last.status, excerpt };
  const retries = outcomes.filter((outcome) => outcome.kind === 'retry');
  if (retries.length > 0) {
    const waits = retries.map((outcome) => outcome.retryAfterSeconds ?? 0);
    return { kind: 'retry', status: retries[0].status, excerpt, retryAfterSeconds: Math.max(...waits) || undefined };
  }
  return { kind: 'final', status: outcomes.find((outcome) => outcome.kind === 'final')!.status, excerpt };
}
