import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Statement } from '@xapi/xapi';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.constants';
import type { QuestionDefinition, ResponseValue } from '../../content/question.types';
import { buildStatements, type XapiEvent, type XapiQuestion, type XapiSettings } from './xapi-statements';

/**
 * Loads what the statements of some events need, in two set-based queries: the learners' emails
 * and, for submits, each attempt's questions (the versions it showed, immutable) with the answers
 * (fixed at submit). Both the LRS delivery and GET …/xapi-statements build through here, so what
 * is pulled equals what was pushed.
 */
@Injectable()
export class XapiSources {
  readonly settings: XapiSettings;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.settings = { activityBaseUrl: config.xapi.activityBaseUrl, accountHomePage: config.xapi.accountHomePage };
  }

  /** The statements of each event, in the order given. */
  async statementsOf(events: XapiEvent[]): Promise<Statement[][]> {
    if (events.length === 0) return [];
    const learnerIds = [...new Set(events.map((e) => learnerOf(e)).filter((id): id is string => id !== undefined))];
    const attemptIds = [
      ...new Set(
        events
          .filter((e) => e.type === 'attempt.submitted' && typeof e.data.attemptId === 'string')
          .map((e) => e.data.attemptId as string),
      ),
    ];
    const emails = new Map(
      (
        await this.dataSource.query<{ id: string; email: string }[]>(
          'SELECT id, email FROM users WHERE id = ANY ($1::uuid[])',
          [learnerIds],
        )
      ).map((row) => [row.id, row.email]),
    );
    const questions = new Map<string, XapiQuestion[]>();
    if (attemptIds.length > 0) {
      const rows = await this.dataSource.query<
        {
          attempt_id: string;
          question_id: string;
          definition: QuestionDefinition;
          response: ResponseValue | null;
        }[]
      >(
        `SELECT a.id AS attempt_id, v.question_id, v.definition, r.response
           FROM attempts a
           CROSS JOIN LATERAL jsonb_array_elements_text(a.question_order) WITH ORDINALITY o(version_id, n)
           JOIN question_versions v ON v.id = o.version_id::uuid
           LEFT JOIN attempt_responses r ON r.attempt_id = a.id AND r.question_version_id = v.id
          WHERE a.id = ANY ($1::uuid[])
          ORDER BY a.id, o.n`,
        [attemptIds],
      );
      for (const row of rows) {
        const list = questions.get(row.attempt_id) ?? [];
        list.push({ questionId: row.question_id, definition: row.definition, response: row.response });
        questions.set(row.attempt_id, list);
      }
    }
    return events.map((event) => {
      const learnerId = learnerOf(event);
      const email = learnerId ? emails.get(learnerId) : undefined;
      // A person's events outlive nobody: a user row is never deleted (erasure keeps it, pseudonymous).
      if (!email) return [];
      const attemptQuestions =
        event.type === 'attempt.submitted' ? questions.get(event.data.attemptId as string) : undefined;
      return buildStatements(event, { email, questions: attemptQuestions }, this.settings);
    });
  }
}

function learnerOf(event: XapiEvent): string | undefined {
  const id = (event.data.user as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}
