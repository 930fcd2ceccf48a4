import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { QuestionDefinition } from '../content/question.types';

/** Enough for every version of a large course many times over; about 1–3 KB each. */
const MAX_ENTRIES = 20_000;

/**
 * Definitions of question versions, by version id. A version is never
 * changed once imported (a correction is a new version), so definitions are
 * kept in memory after the first read and shared, frozen, between requests:
 * an attempt's 42 questions cost one query the first time, none afterwards.
 */
@Injectable()
export class QuestionVersions {
  private readonly cache = new Map<string, QuestionDefinition>();

  /** Definitions of the given versions, by id: at most one query whatever their number. */
  async definitions(manager: EntityManager, versionIds: readonly string[]): Promise<Map<string, QuestionDefinition>> {
    const found = new Map<string, QuestionDefinition>();
    const missing: string[] = [];
    for (const id of new Set(versionIds)) {
      const known = this.cache.get(id);
      if (known) found.set(id, known);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const rows = await manager.query<{ id: string; definition: QuestionDefinition }[]>(
        'SELECT id, definition FROM question_versions WHERE id = ANY($1::uuid[])',
        [missing],
      );
      for (const row of rows) found.set(row.id, this.remember(row.id, row.definition));
    }
    return found;
  }

  private remember(versionId: string, definition: QuestionDefinition): QuestionDefinition {
    const known = this.cache.get(versionId);
    if (known) return known;
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    const frozen = deepFreeze(definition);
    this.cache.set(versionId, frozen);
    return frozen;
  }

  /**
   * For a scored attempt, the definition that scored each question: the
   * version shown, or the corrected version a regrade applied. Grades, the
   * review and later rescoring all read the key through this, so they never
   * disagree.
   */
  async scoringDefinitions(
    manager: EntityManager,
    questionOrder: readonly string[],
    responses: readonly { questionVersionId: string; scoredVersionId: string | null }[],
  ): Promise<{ definitions: Map<string, QuestionDefinition>; versions: Map<string, string> }> {
    const versions = new Map(
      responses
        .filter((response) => response.scoredVersionId && response.scoredVersionId !== response.questionVersionId)
        .map((response) => [response.questionVersionId, response.scoredVersionId!]),
    );
    const byId = await this.definitions(manager, [...questionOrder, ...versions.values()]);
    const definitions = new Map(
      questionOrder.map((pinned) => [pinned, byId.get(versions.get(pinned) ?? pinned)!] as const),
    );
    return { definitions, versions };
  }
}

/** Shared between requests, so nobody may change one by accident. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
