import type { EntityManager } from 'typeorm';
import type { QuestionDefinition } from '../content/question.types';
import { QuestionVersions } from './question-versions';

const definition = (prompt: string) =>
  ({ type: 'true_false', prompt, points: 1, correct: true }) as unknown as QuestionDefinition;

/** A question_versions table of its own, answering `id = ANY($1)` and counting the statements. */
function fakeManager(table: Record<string, QuestionDefinition>) {
  const asked: string[][] = [];
  const manager = {
    query: (_sql: string, [ids]: [string[]]) => {
      asked.push(ids);
      return Promise.resolve(ids.filter((id) => id in table).map((id) => ({ id, definition: table[id] })));
    },
  } as unknown as EntityManager;
  return { manager, asked };
}

describe('QuestionVersions', () => {
  it('reads each version once, then answers from memory; only the unknown ones are asked for', async () => {
    const { manager, asked } = fakeManager({ v1: definition('one'), v2: definition('two'), v3: definition('three') });
    const versions = new QuestionVersions();
    const first = await versions.definitions(manager, ['v1', 'v2']);
    const second = await versions.definitions(manager, ['v2', 'v1', 'v3']);
    expect(asked).toEqual([['v1', 'v2'], ['v3']]);
    expect([...second.keys()].sort()).toEqual(['v1', 'v2', 'v3']);
    expect(second.get('v1')).toBe(first.get('v1'));
    await versions.definitions(manager, ['v3', 'v1']);
    expect(asked).toHaveLength(2);
  });

  it('shares frozen definitions, so a caller cannot change what the next request reads', async () => {
    const { manager } = fakeManager({ v1: definition('one') });
    const versions = new QuestionVersions();
    const shared = (await versions.definitions(manager, ['v1'])).get('v1')!;
    expect(() => {
      (shared as { prompt: string }).prompt = 'changed';
    }).toThrow(TypeError);
    expect((await versions.definitions(manager, ['v1'])).get('v1')!.prompt).toBe('one');
  });

  it('gives the corrected version for questions a regrade scored with another key', async () => {
    const { manager } = fakeManager({ v1: definition('shown'), v1b: definition('corrected'), v2: definition('two') });
    const versions = new QuestionVersions();
    const { definitions, versions: used } = await versions.scoringDefinitions(
      manager,
      ['v1', 'v2'],
      [
        { questionVersionId: 'v1', scoredVersionId: 'v1b' },
        { questionVersionId: 'v2', scoredVersionId: 'v2' },
      ],
    );
    expect(definitions.get('v1')!.prompt).toBe('corrected');
    expect(definitions.get('v2')!.prompt).toBe('two');
    expect([...used]).toEqual([['v1', 'v1b']]);
  });
});
