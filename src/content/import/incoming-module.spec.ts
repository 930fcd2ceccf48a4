import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareModuleImport, type IncomingModule, type ImportSource } from './incoming-module';

const SEEDS = join(__dirname, '../../../seeds/modules');
const MODULE_5 = readFileSync(join(SEEDS, '05_Monitoring_Logging_and_Incident_Response.md'), 'utf8');
const KEY_5 = readFileSync(join(SEEDS, '05_Monitoring_Logging_and_Incident_Response.answers.yaml'), 'utf8');

function incoming(source: ImportSource): IncomingModule {
  const prepared = prepareModuleImport(source);
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems, null, 2));
  return prepared.incoming;
}

const SMALL = `# Module 9: Small

## Learning Objectives
- Learn

## 1. Basics

### Part

Text.

## Hands-On Activities

### Activity 1: Do it
1. Step one
2. Step two

## Knowledge Check

1. What is it?
2. Why?

**Module Completion Checklist:**
- [ ] Read all module content
- [ ] Completed Activity 1: Do it
`;

describe('prepareModuleImport', () => {
  it('turns Module 5 and its key into 8 activities, 32 steps, 11 items and 6 + 36 questions', () => {
    const module = incoming({ markdown: MODULE_5, answerKey: { text: KEY_5, format: 'yaml' } });
    expect(module.module.slug).toBe('05-monitoring-logging-and-incident-response');
    expect(module.module.objectives).toHaveLength(4);
    expect(module.module.sections).toHaveLength(9);
    expect(module.activities).toHaveLength(8);
    expect(module.steps).toHaveLength(32);
    expect(module.checklistItems).toHaveLength(11);
    expect(module.checklistItems.filter((item) => item.activityKey !== null)).toHaveLength(8);
    expect(module.questions.filter((q) => q.origin === 'knowledge_check')).toHaveLength(6);
    expect(module.questions.filter((q) => q.origin === 'bank')).toHaveLength(36);
    expect(module.ungradedKnowledgeCheck).toEqual([]);
    expect(module.answerKeyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('puts the knowledge check first, in the module’s order, then the bank in the key’s order', () => {
    const { questions } = incoming({ markdown: MODULE_5, answerKey: { text: KEY_5, format: 'yaml' } });
    expect(questions.map((q) => q.position)).toEqual(questions.map((_, i) => i + 1));
    expect(questions.slice(0, 6).map((q) => q.knowledgeCheckNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(questions[6].key).toBe('cloudtrail-best-practices');
    expect(questions.at(-1)?.key).toBe('config-violation-automation-design');
  });

  it('keeps sections without their source lines, so moving text down the file changes nothing', () => {
    const first = incoming({ markdown: SMALL });
    const moved = incoming({ markdown: `\n\n${SMALL}` });
    expect(JSON.stringify(first.module.sections)).not.toMatch(/"line"/);
    expect(moved.module).toEqual(first.module);
    expect(moved.sourceHash).not.toBe(first.sourceHash);
  });

  it('imports the knowledge check as essays without a key, and says so', () => {
    const prepared = prepareModuleImport({ markdown: SMALL });
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(prepared.incoming.ungradedKnowledgeCheck).toEqual([1, 2]);
    expect(prepared.incoming.questions.map((q) => [q.key, q.definition])).toEqual([
      ['kc-1', { type: 'essay', prompt: 'What is it?', points: 1 }],
      ['kc-2', { type: 'essay', prompt: 'Why?', points: 1 }],
    ]);
    expect(prepared.incoming.answerKeyHash).toBeNull();
    expect(prepared.warnings).toEqual([expect.objectContaining({ code: 'no-answer-key', severity: 'warning' })]);
  });

  it('grades what the key grades and leaves the rest to an instructor', () => {
    const key = `format: 1
completion: { requireVerification: [completed-activity-1-do-it] }
questions:
  - { id: what-it-is, knowledgeCheck: 1, section: 1, type: true_false, prompt: It is., correct: true }
`;
    const module = incoming({ markdown: SMALL, answerKey: { text: key, format: 'yaml' } });
    expect(module.questions.map((q) => [q.key, q.definition.type, q.section])).toEqual([
      ['what-it-is', 'true_false', 1],
      ['kc-2', 'essay', null],
    ]);
    expect(module.ungradedKnowledgeCheck).toEqual([2]);
    expect(module.checklistItems.map((item) => [item.key, item.requiresVerification, item.activityKey])).toEqual([
      ['read-all-module-content', false, null],
      ['completed-activity-1-do-it', true, 'activity-1'],
    ]);
  });

  it('refuses a bank entry that takes the key of an ungraded knowledge-check question', () => {
    const key = `format: 1
questions:
  - { id: kc-2, section: 1, type: true_false, prompt: Sneaky., correct: true }
`;
    const prepared = prepareModuleImport({ markdown: SMALL, answerKey: { text: key, format: 'yaml' } });
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    expect(prepared.problems).toContainEqual(
      expect.objectContaining({ source: 'answer-key', code: 'question-key-conflict', path: 'questions[0].id' }),
    );
  });

  it('collects the problems of both files, with lines, and imports nothing', () => {
    const markdown = SMALL.replace('# Module 9: Small', 'Small').replace(
      '## Knowledge Check',
      '### Activity 1: Again\n1. Twice\n\n## Knowledge Check',
    );
    const prepared = prepareModuleImport({
      markdown,
      answerKey: { text: 'format: 2\nquestions: []\n', format: 'yaml' },
    });
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    const codes = prepared.problems.map((p) => [p.source, p.code, p.line]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['module', 'missing-title', 1],
        ['module', 'duplicate-activity-number', 18],
        ['answer-key', 'unsupported-format', 1],
      ]),
    );
  });

  it('hashes a definition by value, not by the order its fields were written in', () => {
    const a = `format: 1
questions:
  - { id: q, section: 1, type: true_false, prompt: P., correct: true, points: 2 }
`;
    const b = `format: 1
questions:
  - { points: 2, correct: true, prompt: P., type: true_false, section: 1, id: q }
`;
    const hash = (text: string) =>
      incoming({ markdown: SMALL, answerKey: { text, format: 'yaml' } }).questions.find((q) => q.key === 'q')
        ?.contentHash;
    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).not.toBe(hash(a.replace('correct: true', 'correct: false')));
  });
});
