import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Caller } from '../auth/access.types';
import { isUuid } from '../auth/user-ref';
import { ResourceNotFound, ValidationFailed } from '../common/errors/domain-error';
import type { ResponseValue } from '../content/question.types';
import { CohortsService } from './cohorts.service';
import type { GradingQueueDto, GradingQueueItemDto, GradingQueueQueryDto } from './dto/grading-queue.dto';
import { REPORTED_MEMBERS } from './reports/reported-members';

/** Where a page of the queue ends: the last item's (submitted, to the millisecond; attempt; position). */
interface QueuePosition {
  submittedAt: Date;
  attemptId: string;
  position: number;
}

interface QueueRow {
  attempt_id: string;
  attempt_number: number;
  quiz_id: string;
  user_id: string;
  display_name: string;
  question_version_id: string;
  position: number;
  question_type: string;
  prompt: string;
  response: ResponseValue | null;
  rubric: string | null;
  max_score: number;
  submitted_at: Date;
  submitted_ms: Date;
}

/**
 * Answers of the cohort's active learners waiting for a person (essays, `pending_grading`), to the
 * quizzes of the cohort's modules (all modules when it names none), oldest submitted first. Paged by
 * keyset, not offset: grading an item takes it out of the queue, which must not make the next page
 * skip one. Submission times compare to the millisecond, which is what a cursor can hold.
 */
const QUEUE_SQL = `
  WITH learners AS (
    SELECT u.id, u.display_name
      FROM ${REPORTED_MEMBERS}
     WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.status = 'active'),
  scope AS (
    SELECT q.id AS quiz_id FROM cohorts c
      JOIN modules mo ON cardinality(c.module_ids) = 0 OR mo.id = ANY(c.module_ids)
      JOIN quizzes q ON q.module_id = mo.id
     WHERE c.id = $1 AND ($2::uuid IS NULL OR q.id = $2::uuid)),
  waiting AS (
    SELECT a.id AS attempt_id, a.number AS attempt_number, a.quiz_id, l.id AS user_id, l.display_name,
           coalesce(a.submitted_at, a.started_at) AS submitted_at,
           date_trunc('milliseconds', coalesce(a.submitted_at, a.started_at)) AS submitted_ms,
           o.version_id::uuid AS question_version_id, o.position::int AS position
      FROM learners l
      JOIN attempts a ON a.user_id = l.id AND a.state = 'pending_grading'
      JOIN scope s ON s.quiz_id = a.quiz_id
     CROSS JOIN LATERAL jsonb_array_elements_text(a.question_order) WITH ORDINALITY AS o(version_id, position))
  SELECT w.*, shown.definition ->> 'type' AS question_type, shown.definition ->> 'prompt' AS prompt, r.response,
         scoring.definition ->> 'rubric' AS rubric,
         coalesce(r.max_score, (scoring.definition ->> 'points')::float8) AS max_score
    FROM waiting w
    JOIN attempt_responses r ON r.attempt_id = w.attempt_id AND r.question_version_id = w.question_version_id
    JOIN question_versions shown ON shown.id = r.question_version_id
    JOIN question_versions scoring ON scoring.id = coalesce(r.scored_version_id, r.question_version_id)
   WHERE r.correctness = 'pending' AND r.manual_score IS NULL
     AND ($3::timestamptz IS NULL OR (w.submitted_ms, w.attempt_id, w.position) > ($3::timestamptz, $4::uuid, $5::int))
   ORDER BY w.submitted_ms, w.attempt_id, w.position
   LIMIT $6`;

@Injectable()
export class GradingQueueService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cohorts: CohortsService,
  ) {}

  /** One page of the cohort's grading queue; the same rule as the cohort's reports decides who may read it. */
  async queue(caller: Caller, cohortId: string, query: GradingQueueQueryDto): Promise<GradingQueueDto> {
    const cohort = await this.cohorts.findFor(caller.principal, cohortId, 'read');
    const quizId = query.quiz === undefined ? null : query.quiz.toLowerCase();
    if (quizId !== null) {
      const [inCohort] = await this.dataSource.query<unknown[]>(
        `SELECT 1 FROM quizzes q JOIN cohorts c ON c.id = $1
          WHERE q.id = $2::uuid AND (cardinality(c.module_ids) = 0 OR q.module_id = ANY(c.module_ids))`,
        [cohort.id, quizId],
      );
      if (!inCohort) throw new ResourceNotFound('No such quiz in this cohort');
    }
    const after = decodeQueueCursor(query.cursor);
    const rows = await this.dataSource.query<QueueRow[]>(QUEUE_SQL, [
      cohort.id,
      quizId,
      after?.submittedAt ?? null,
      after?.attemptId ?? null,
      after?.position ?? null,
      query.limit + 1,
    ]);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      cohortId: cohort.id,
      items: items.map(toItem),
      nextCursor:
        rows.length > query.limit && last
          ? encodeQueueCursor({ submittedAt: last.submitted_ms, attemptId: last.attempt_id, position: last.position })
          : null,
    };
  }
}

function toItem(row: QueueRow): GradingQueueItemDto {
  return {
    attemptId: row.attempt_id,
    attemptNumber: row.attempt_number,
    learner: { id: row.user_id, displayName: row.display_name },
    quizId: row.quiz_id,
    questionVersionId: row.question_version_id,
    position: row.position,
    questionType: row.question_type,
    prompt: row.prompt,
    answer: answerText(row.response),
    rubric: row.rubric,
    maxScore: row.max_score,
    submittedAt: row.submitted_at.toISOString(),
  };
}

function answerText(response: ResponseValue | null): string | null {
  if (response === null) return null;
  if (response.type === 'essay' || response.type === 'short_text') return response.text;
  return JSON.stringify(response);
}

function encodeQueueCursor(position: QueuePosition): string {
  return Buffer.from(
    JSON.stringify([position.submittedAt.toISOString(), position.attemptId, position.position]),
  ).toString('base64url');
}

function decodeQueueCursor(cursor: string | undefined): QueuePosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [submittedAt, attemptId, position] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
      unknown,
    ];
    if (typeof submittedAt !== 'string' || typeof attemptId !== 'string' || !isUuid(attemptId)) throw new Error();
    if (typeof position !== 'number' || !Number.isInteger(position) || position < 1 || position > 10_000)
      throw new Error();
    const date = new Date(submittedAt);
    const time = date.getTime();
    if (!(time >= Date.UTC(1970, 0, 1) && time <= Date.UTC(9999, 11, 31))) throw new Error();
    return { submittedAt: date, attemptId, position };
  } catch {
    throw new ValidationFailed([{ field: 'cursor', messages: ['cursor is not one this API issued'] }]);
  }
}
