import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { QuizSettings } from '../content/import/answer-key';
import { QuestionVersion } from '../content/entities/question-version.entity';
import { Quiz } from '../content/entities/quiz.entity';
import type { QuestionDefinition } from '../content/question.types';
import { isUuid } from '../auth/user-ref';
import { ResourceNotFound } from '../common/errors/domain-error';

export interface QuizContext {
  quizId: string;
  settings: QuizSettings;
}

export async function loadQuiz(manager: EntityManager, quizId: string): Promise<QuizContext> {
  if (!isUuid(quizId)) throw new ResourceNotFound('No such quiz');
  const quiz = await manager.findOne(Quiz, { select: { id: true, settings: true }, where: { id: quizId } });
  if (!quiz) throw new ResourceNotFound('No such quiz');
  return { quizId: quiz.id, settings: quiz.settings };
}

/** The versions new attempts use: each live question's current version, in quiz order. */
export async function currentVersions(
  manager: EntityManager,
  quizId: string,
): Promise<{ id: string; definition: QuestionDefinition }[]> {
  return manager.query(
    `SELECT v.id, v.definition
       FROM questions q JOIN question_versions v ON v.id = q.current_version_id
      WHERE q.quiz_id = $1 AND q.retired_at IS NULL
      ORDER BY q.position, q.id`,
    [quizId],
  );
}

/** Definitions of the given versions, by id: one query whatever their number. */
export async function definitionsOf(
  manager: EntityManager,
  versionIds: string[],
): Promise<Map<string, QuestionDefinition>> {
  if (versionIds.length === 0) return new Map();
  const versions = await manager.find(QuestionVersion, {
    select: { id: true, definition: true },
    where: { id: In(versionIds) },
  });
  return new Map(versions.map((version) => [version.id, version.definition]));
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

/**
 * For a scored attempt, the definition that scored each question: the version
 * shown, or the corrected version a regrade applied. Grades, the review and
 * later rescoring all read the key through this, so they never disagree.
 */
export async function scoringDefinitions(
  manager: EntityManager,
  questionOrder: string[],
  responses: readonly { questionVersionId: string; scoredVersionId: string | null }[],
): Promise<{ definitions: Map<string, QuestionDefinition>; versions: Map<string, string> }> {
  const versions = new Map(
    responses
      .filter((response) => response.scoredVersionId && response.scoredVersionId !== response.questionVersionId)
      .map((response) => [response.questionVersionId, response.scoredVersionId!]),
  );
  const byId = await definitionsOf(manager, [...new Set([...questionOrder, ...versions.values()])]);
  const definitions = new Map(
    questionOrder.map((pinned) => [pinned, byId.get(versions.get(pinned) ?? pinned)!] as const),
  );
  return { definitions, versions };
}
