import type { EntityManager } from 'typeorm';
import type { QuizSettings } from '../content/import/answer-key';
import type { QuestionDefinition } from '../content/question.types';
import { isUuid } from '../auth/user-ref';
import { ResourceNotFound } from '../common/errors/domain-error';

export interface QuizContext {
  quizId: string;
  moduleId: string;
  settings: QuizSettings;
}

export async function loadQuiz(manager: EntityManager, quizId: string): Promise<QuizContext> {
  if (!isUuid(quizId)) throw new ResourceNotFound('No such quiz');
  const [quiz] = await manager.query<{ id: string; module_id: string; settings: QuizSettings }[]>(
    'SELECT id, module_id, settings FROM quizzes WHERE id = $1',
    [quizId],
  );
  if (!quiz) throw new ResourceNotFound('No such quiz');
  return { quizId: quiz.id, moduleId: quiz.module_id, settings: quiz.settings };
}

/** The versions new attempts use: each live question's current version, in quiz order. */
export async function currentVersionIds(manager: EntityManager, quizId: string): Promise<string[]> {
  const rows = await manager.query<{ id: string }[]>(
    `SELECT q.current_version_id AS id
       FROM questions q
      WHERE q.quiz_id = $1 AND q.retired_at IS NULL
      ORDER BY q.position, q.id`,
    [quizId],
  );
  return rows.map((row) => row.id);
}

/**
 * Choice ids to shuffle per attempt. Ordering items and matching options are
 * left out on purpose: the learner view already shows them in a stable order
 * that never equals the answer, which a random shuffle could not promise.
 */
export function choiceIdsOf(definition: QuestionDefinition): string[] {
  return definition.type === 'single_choice' || definition.type === 'multiple_choice'
    ? definition.choices.map((choice) => choice.id)
    : [];
}
