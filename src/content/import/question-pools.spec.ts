import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnswerKeyProblem, checkAnswerKeyAgainstModule, parseAnswerKey } from './answer-key';
import { prepareModuleImport } from './incoming-module';
import { parseModule } from './module-parser';

const MARKDOWN = [
  '# Module 7: Pools',
  '',
  '## Learning Objectives',
  '- Know the basics',
  '',
  '## 1. Logging',
  '',
  'Trails record calls.',
  '',
  '## 2. Response',
  '',
  'Contain, then recover.',
  '',
  '## Knowledge Check',
  '',
  '1. What does a trail record?',
  '2. How do you contain an incident?',
  '',
].join('\n');

const MODULE = (() => {
  const parsed = parseModule(MARKDOWN);
  if (!parsed.module) throw new Error('test setup: the module should parse');
  return parsed.module;
})();

const tf = (id: string, section: number, extra = '') =>
  `  - { id: ${id}, section: ${section}, type: true_false, prompt: "${id}?", correct: true${extra} }`;

/** kc-1 graded (section 1), kc-2 left to the module (an ungraded essay); bank a1–a3 in section 1, b1–b2 in 2. */
function keyWithPools(pools: string): string {
  return [
    'format: 1',
    'quiz:',
    '  pools:',
    ...pools
      .trim()
      .split('\n')
      .map((line) => `    ${line}`),
    'questions:',
    tf('kc-1', 1, ', knowledgeCheck: 1'),
    tf('a1', 1),
    tf('a2', 1),
    tf('a3', 1),
    tf('b1', 2),
    tf('b2', 2),
    '',
  ].join('\n');
}

/** Problems of parsing and of checking against the module, as the import reports them. */
function problemsOf(yaml: string): AnswerKeyProblem[] {
  const { key, problems } = parseAnswerKey(yaml, 'yaml');
  return [...problems, ...(key ? checkAnswerKeyAgainstModule(key, MODULE) : [])].filter(
    (problem) => problem.code !== 'kc-ungraded',
  );
}

const lineOf = (yaml: string, needle: string) => yaml.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('quiz.pools in the answer key', () => {
  it('reads pools by ids, by section and of the knowledge check, and stores them resolved to question keys', () => {
    const yaml = keyWithPools(`
- { id: logging, section: 1, draw: 2 }
- { id: response, questions: [b1, b2], draw: 1 }
- { id: knowledge-check, knowledgeCheck: true, draw: 1 }`);
    const { key, problems } = parseAnswerKey(yaml, 'yaml');
    expect(problems).toEqual([]);
    expect(key?.pools).toEqual([
      { id: 'logging', draw: 2, select: { section: 1 } },
      { id: 'response', draw: 1, select: { questions: ['b1', 'b2'] } },
      { id: 'knowledge-check', draw: 1, select: { knowledgeCheck: true } },
    ]);
    expect(problemsOf(yaml)).toEqual([]);

    const prepared = prepareModuleImport({ markdown: MARKDOWN, answerKey: { text: yaml, format: 'yaml' } });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems));
    // `section` holds the bank questions citing it (not kc-1); the knowledge check includes the ungraded kc-2.
    expect(prepared.incoming.quiz.settings.pools).toEqual([
      { id: 'logging', draw: 2, questions: ['a1', 'a2', 'a3'] },
      { id: 'response', draw: 1, questions: ['b1', 'b2'] },
      { id: 'knowledge-check', draw: 1, questions: ['kc-1', 'kc-2'] },
    ]);
  });

  it('stores no pools field for a key without pools, so existing quizzes re-import unchanged', () => {
    const yaml = ['format: 1', 'quiz: { passMark: 0.5 }', 'questions:', tf('a1', 1), ''].join('\n');
    const prepared = prepareModuleImport({ markdown: MARKDOWN, answerKey: { text: yaml, format: 'yaml' } });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems));
    expect(prepared.incoming.quiz.settings).not.toHaveProperty('pools');
    expect(parseAnswerKey(yaml, 'yaml').key?.pools).toEqual([]);
  });

  it('reports a question id that is no question of the quiz: unknown-pool-question', () => {
    const yaml = keyWithPools('- { id: p, questions: [a1, nope], draw: 1 }');
    expect(problemsOf(yaml)).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'unknown-pool-question',
        path: 'quiz.pools[0].questions[1]',
        line: lineOf(yaml, 'nope'),
      }),
    ]);
  });

  it('accepts kc-N of an ungraded knowledge-check question by id', () => {
    expect(problemsOf(keyWithPools('- { id: p, questions: [kc-2, a1], draw: 1 }'))).toEqual([]);
  });

  it('reports a question in two pools at the second: question-in-two-pools', () => {
    const yaml = keyWithPools(`
- { id: logging, section: 1, draw: 1 }
- { id: mixed, questions: [b1, a2], draw: 1 }
- { id: knowledge-check, knowledgeCheck: true, draw: 1 }
- { id: again, questions: [kc-1], draw: 1 }`);
    expect(problemsOf(yaml)).toEqual([
      expect.objectContaining({
        code: 'question-in-two-pools',
        path: 'quiz.pools[1].questions[1]',
        message: expect.stringContaining('"a2" is already in pool "logging"'),
      }),
      expect.objectContaining({
        code: 'question-in-two-pools',
        path: 'quiz.pools[3].questions[0]',
        message: expect.stringContaining('"kc-1" is already in pool "knowledge-check"'),
      }),
    ]);
  });

  it('reports a draw larger than the pool, or from a pool that holds nothing: draw-exceeds-pool', () => {
    const yaml = keyWithPools(`
- { id: logging, section: 1, draw: 4 }
- { id: response, questions: [b1, b2], draw: 2 }`);
    expect(problemsOf(yaml)).toEqual([
      expect.objectContaining({
        code: 'draw-exceeds-pool',
        path: 'quiz.pools[0].draw',
        message: 'The pool holds only 3, so it cannot draw 4 per attempt.',
      }),
    ]);
    const noBankInSection = keyWithPools('- { id: empty, section: 1, draw: 1 }').replace(
      /section: 1, type/g,
      'section: 2, type',
    );
    expect(problemsOf(noBankInSection)).toEqual([
      expect.objectContaining({
        code: 'draw-exceeds-pool',
        message: 'The pool holds no questions, so it cannot draw 1 per attempt.',
      }),
    ]);
  });

  it('reports a draw below 1, or not a whole number, as out of range or of the wrong type', () => {
    expect(problemsOf(keyWithPools('- { id: p, section: 1, draw: 0 }'))).toEqual([
      expect.objectContaining({ code: 'out-of-range', path: 'quiz.pools[0].draw' }),
    ]);
    expect(problemsOf(keyWithPools('- { id: p, section: 1, draw: -2 }'))).toEqual([
      expect.objectContaining({ code: 'out-of-range', path: 'quiz.pools[0].draw' }),
    ]);
    expect(problemsOf(keyWithPools('- { id: p, section: 1, draw: 1.5 }'))).toEqual([
      expect.objectContaining({ code: 'wrong-type', path: 'quiz.pools[0].draw' }),
    ]);
    expect(problemsOf(keyWithPools('- { id: p, section: 1 }'))).toEqual([
      expect.objectContaining({ code: 'missing-field', path: 'quiz.pools[0].draw' }),
    ]);
  });

  it('needs exactly one way of naming the questions: pool-selector', () => {
    expect(problemsOf(keyWithPools('- { id: p, draw: 1 }'))).toEqual([
      expect.objectContaining({ code: 'pool-selector', path: 'quiz.pools[0]' }),
    ]);
    expect(problemsOf(keyWithPools('- { id: p, section: 1, questions: [a1], draw: 1 }'))).toEqual([
      expect.objectContaining({ code: 'pool-selector', path: 'quiz.pools[0].section' }),
    ]);
  });

  it('reports the other mistakes with the codes the rest of the key uses', () => {
    const yaml = keyWithPools(`
- { id: Bad Id, section: 1, draw: 1 }
- { id: dup, section: 2, draw: 1 }
- { id: dup, questions: [a1, a1], draw: 1 }
- { id: kc, knowledgeCheck: false, draw: 1 }
- { id: far, section: 2, draw: 1 }
- { id: typo, sections: 1, draw: 1 }
- { id: empty, questions: [], draw: 1 }`);
    const codes = problemsOf(yaml).map((problem) => `${problem.path} ${problem.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'quiz.pools[0].id invalid-id',
        'quiz.pools[2].id duplicate-id',
        'quiz.pools[2].questions[1] duplicate-reference',
        'quiz.pools[3].knowledgeCheck invalid-value',
        'quiz.pools[5].sections unknown-field',
        'quiz.pools[5] pool-selector',
        'quiz.pools[6].questions too-few',
      ]),
    );
    const typo = problemsOf(yaml).find((problem) => problem.code === 'unknown-field');
    expect(typo?.message).toContain('Did you mean "section"?');
  });

  it('reports a section the module does not have: unknown-section', () => {
    expect(problemsOf(keyWithPools('- { id: far, section: 5, draw: 1 }'))).toEqual([
      expect.objectContaining({ code: 'unknown-section', path: 'quiz.pools[0].section' }),
      expect.objectContaining({ code: 'draw-exceeds-pool', path: 'quiz.pools[0].draw' }),
    ]);
  });

  it('refuses pools that are not a list, and more than 100 of them', () => {
    expect(problemsOf(keyWithPools('').replace('  pools:\n    \n', '  pools: { id: p }\n'))).toEqual([
      expect.objectContaining({ code: 'wrong-type', path: 'quiz.pools' }),
    ]);
    const many = Array.from({ length: 101 }, (_, i) => `- { id: p${i}, questions: [a1], draw: 1 }`).join('\n');
    expect(problemsOf(keyWithPools(many)).map((problem) => problem.code)).toContain('too-many');
  });

  it('leaves Module 5 drawing 2 bank questions from each of its 9 sections, the 6 knowledge-check questions in no pool', () => {
    const dir = join(__dirname, '..', '..', '..', 'seeds', 'modules');
    const name = '05_Monitoring_Logging_and_Incident_Response';
    const prepared = prepareModuleImport({
      markdown: readFileSync(join(dir, `${name}.md`), 'utf8'),
      answerKey: { text: readFileSync(join(dir, `${name}.answers.yaml`), 'utf8'), format: 'yaml' },
    });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems));
    const { questions, quiz } = prepared.incoming;
    const pools = quiz.settings.pools ?? [];
    expect(pools.map((pool) => pool.draw)).toEqual(Array(9).fill(2));
    const pooled = new Set(pools.flatMap((pool) => pool.questions));
    const bank = questions.filter((question) => question.origin === 'bank');
    expect([...pooled].sort()).toEqual(bank.map((question) => question.key).sort());
    for (const [index, pool] of pools.entries()) {
      const ofSection = bank.filter((question) => question.section === index + 1).map((question) => question.key);
      expect(pool.questions).toEqual(ofSection);
    }
    const alwaysShown = questions.filter((question) => !pooled.has(question.key));
    expect(alwaysShown.map((question) => question.knowledgeCheckNumber)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
