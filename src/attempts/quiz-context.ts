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
