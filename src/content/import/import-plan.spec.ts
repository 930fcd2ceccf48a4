import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CurrentModule, type ImportItem, planModuleImport } from './import-plan';
import { type IncomingModule, prepareModuleImport } from './incoming-module';

const SEEDS = join(__dirname, '../../../seeds/modules');
const MODULE_5 = readFileSync(join(SEEDS, '05_Monitoring_Logging_and_Incident_Response.md'), 'utf8');
const KEY_5 = readFileSync(join(SEEDS, '05_Monitoring_Logging_and_Incident_Response.answers.yaml'), 'utf8');

/** `key` null: import without an answer key. */
function incoming(markdown = MODULE_5, key: string | null = KEY_5): IncomingModule {
  const prepared = prepareModuleImport({
    markdown,
    answerKey: key === null ? undefined : { text: key, format: 'yaml' },
  });
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems, null, 2));
  return prepared.incoming;
}

/** What the database would hold after importing `module`, read back (JSON round trip, as jsonb). */
function stored(module: IncomingModule): CurrentModule {
  let n = 0;
  const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const live = { retiredAt: null };
  const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  return {
    id: id(),
    module: roundTrip(module.module),
    sourceHash: module.sourceHash,
    answerKeyHash: module.answerKeyHash,
    quiz: { id: id(), ...roundTrip(module.quiz) },
    activities: module.activities.map((a) => ({ ...a, id: id(), ...live })),
    steps: module.steps.map((s) => ({ ...s, id: id(), ...live })),
    checklistItems: module.checklistItems.map((c) => ({ ...c, id: id(), ...live })),
    questions: module.questions.map(({ definition: _definition, ...q }) => ({
      ...q,
      id: id(),
      currentVersion: 1,
      ...live,
    })),
  };
}

const keys = (items: ImportItem[], kind?: ImportItem['kind']) =>
  items.filter((item) => !kind || item.kind === kind).map((item) => item.key);

describe('planModuleImport', () => {
  it('adds everything for a new module', () => {
    const plan = planModuleImport(undefined, incoming());
    expect(plan.status).toBe('created');
    expect(plan.moduleWrite).toBe('create');
    expect(plan.quizWrite).toBe('create');
    const count = (kind: ImportItem['kind']) => keys(plan.changes.added, kind).length;
    expect([count('module'), count('quiz_settings'), count('activity'), count('step')]).toEqual([1, 1, 8, 32]);
    expect([count('checklist_item'), count('question')]).toEqual([11, 42]);
    expect(plan.changes).toMatchObject({ changed: [], retired: [], unchanged: 0 });
  });

  it('finds nothing to do for the same files, and writes nothing', () => {
    const plan = planModuleImport(stored(incoming()), incoming());
    expect(plan.status).toBe('unchanged');
    expect(plan.changes).toEqual({ added: [], changed: [], retired: [], unchanged: 1 + 1 + 8 + 32 + 11 + 42 });
    expect([plan.moduleWrite, plan.quizWrite]).toEqual(['none', 'none']);
  });

  it('makes one new version when one question’s key changes', () => {
    const changedKey = KEY_5.replace(/(- id: kc-1\b[\s\S]*?\n {4}correct: )a/, '$1b');
    expect(changedKey).not.toBe(KEY_5);
    const plan = planModuleImport(stored(incoming()), incoming(MODULE_5, changedKey));
    expect(plan.status).toBe('updated');
    expect(plan.changes.changed).toEqual([{ kind: 'question', key: 'kc-1', fields: ['definition'] }]);
    expect(plan.questions.changed.map((c) => c.current.key)).toEqual(['kc-1']);
    expect(plan.changes.added).toEqual([]);
    // The new key file is recorded with the change.
    expect(plan.moduleWrite).toBe('update');
  });

  it('records a new file hash only alongside a real change', () => {
    const reworded = `${KEY_5}\n# a comment changes the file, not the questions\n`;
    const plan = planModuleImport(stored(incoming()), incoming(MODULE_5, reworded));
    expect(plan.status).toBe('unchanged');
    expect(plan.moduleWrite).toBe('none');
  });

  it('retires an activity no longer in the file, with its steps, and reinstates it when it comes back', () => {
    const without = MODULE_5.replace(/### Activity 8:[\s\S]*?(?=\n---)/, '').replace(
      /- \[ \] Completed Activity 8:.*\n/,
      '',
    );
    const before = stored(incoming());
    const plan = planModuleImport(before, incoming(without));
    expect(keys(plan.changes.retired)).toEqual([
      'activity-8',
      'activity-8-step-1',
      'activity-8-step-2',
      'activity-8-step-3',
      'activity-8-step-4',
      'completed-activity-8-create-automated-security-responses',
    ]);
    // The items after the removed one move up a place.
    expect(plan.changes.changed.map((item) => [item.key, item.fields])).toEqual([
      ['reviewed-additional-resources', ['position']],
      ['ready-to-proceed-to-module-6', ['position']],
    ]);

    const retiredAt = new Date();
    const retiredKeys = new Set(keys(plan.changes.retired));
    const afterRetiring: CurrentModule = {
      ...before,
      activities: before.activities.map((a) => (retiredKeys.has(a.key) ? { ...a, retiredAt } : a)),
      steps: before.steps.map((s) => (retiredKeys.has(s.key) ? { ...s, retiredAt } : s)),
    };
    const back = planModuleImport(afterRetiring, incoming());
    expect(back.changes.changed.filter((item) => item.kind === 'activity')).toEqual([
      { kind: 'activity', key: 'activity-8', fields: ['reinstated'] },
    ]);
    expect(back.changes.added).toEqual([]);
  });

  it('retires the bank and turns the knowledge check into essays when the key is dropped', () => {
    const plan = planModuleImport(stored(incoming()), incoming(MODULE_5, null));
    expect(keys(plan.changes.retired, 'question')).toHaveLength(36);
    const questions = plan.changes.changed.filter((item) => item.kind === 'question');
    expect(questions.map((item) => item.key)).toEqual(['kc-1', 'kc-2', 'kc-3', 'kc-4', 'kc-5', 'kc-6']);
    for (const item of questions) expect(item.fields).toEqual(expect.arrayContaining(['section', 'definition']));
    expect(plan.changes.changed.find((item) => item.kind === 'quiz_settings')?.fields).toEqual(['settings']);
  });

  it('reports a changed module field by name', () => {
    const plan = planModuleImport(stored(incoming()), incoming(MODULE_5.replace('12-14 hours', '10 hours')));
    expect(plan.changes.changed).toEqual([
      { kind: 'module', key: '05-monitoring-logging-and-incident-response', fields: ['estimatedTime'] },
    ]);
    expect(plan.moduleWrite).toBe('update');
  });
});
