import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModuleProblem, ParsedModule, ParseResult } from '../module.types';
import { MAX_NUMBER, parseModule } from './module-parser';

const MODULE_5 = readFileSync(
  join(__dirname, '../../../seeds/modules/05_Monitoring_Logging_and_Incident_Response.md'),
  'utf8',
);

const md = (...lines: string[]): string => lines.join('\n');

/** 1-based line of the first line of `source` equal to `text`, found independently of the parser. */
function lineWith(source: string, text: string): number {
  const index = source.split(/\r?\n/).indexOf(text);
  if (index === -1) throw new Error(`test setup: no line "${text}"`);
  return index + 1;
}

function parsed(source: string): ParsedModule {
  const result = parseModule(source);
  if (!result.module) throw new Error(`no module: ${JSON.stringify(result.problems)}`);
  return result.module;
}

function problem(result: ParseResult, code: string): ModuleProblem {
  const found = result.problems.filter((p) => p.code === code);
  expect(found).toHaveLength(1);
  return found[0];
}

const codes = (result: ParseResult): string[] => result.problems.map((p) => p.code);

/** A complete small module; tests replace parts of it. */
function smallModule(parts: { title?: string; activities?: string; knowledgeCheck?: string; checklist?: string } = {}) {
  return md(
    parts.title ?? '# Module 2: Networking Basics',
    '',
    '## 1. Subnets',
    '',
    'Intro.',
    '',
    parts.activities ?? md('## Hands-On Activities', '', '### Activity 1: Make a subnet', '1. Open the console'),
    '',
    parts.knowledgeCheck ?? md('## Knowledge Check', '', '1. What is a subnet?'),
    '',
    parts.checklist ?? md('**Module Completion Checklist:**', '- [ ] Completed Activity 1: Make a subnet'),
    '',
  );
}

describe('parseModule on Module 5', () => {
  const result = parseModule(MODULE_5);
  const module = result.module!;

  it('reports no problems', () => {
    expect(result.problems).toEqual([]);
  });

  it('reads the title, number and slug', () => {
    expect(module.number).toBe(5);
    expect(module.title).toBe('Monitoring, Logging, and Incident Response');
    expect(module.slug).toBe('05-monitoring-logging-and-incident-response');
  });

  it('reads the learning objectives and estimated time', () => {
    expect(module.objectives).toEqual([
      'Implement comprehensive logging and monitoring',
      'Use AWS security monitoring services',
      'Detect and respond to security incidents',
      'Understand security automation and orchestration',
    ]);
    expect(module.estimatedTime).toBe('12-14 hours');
  });

  it('reads the nine numbered sections with their subsections', () => {
    expect(module.sections.map((s) => [s.number, s.title, s.subsections.length])).toEqual([
      [1, 'AWS CloudTrail', 5],
      [2, 'Amazon CloudWatch', 5],
      [3, 'AWS Config', 5],
      [4, 'Amazon GuardDuty', 4],
      [5, 'AWS Security Hub', 4],
      [6, 'Amazon Inspector', 4],
      [7, 'VPC Flow Logs', 3],
      [8, 'Incident Response', 5],
      [9, 'Security Automation', 4],
    ]);
    expect(module.sections[0].line).toBe(15);
    expect(module.sections[8].line).toBe(348);
  });

  it('keeps the source of a subsection body without its heading or the closing rule', () => {
    const cloudTrail = module.sections[0];
    expect(cloudTrail.markdown).toBe('');
    expect(cloudTrail.subsections.map((s) => s.title)).toEqual([
      'Enabling CloudTrail',
      'CloudTrail Log Analysis',
      'CloudTrail Insights',
      'CloudTrail Security Best Practices',
      'Multi-Region CloudTrail',
    ]);
    expect(cloudTrail.subsections[0].line).toBe(17);
    expect(cloudTrail.subsections[4]).toEqual({
      title: 'Multi-Region CloudTrail',
      line: 51,
      markdown: md(
        '- **Purpose:** Centralized logging',
        '- **Configuration:**',
        '  - Single trail for all regions',
        '  - Centralized S3 bucket',
        '  - Aggregated analysis',
      ),
    });
  });

  it('reads eight activities of four steps each', () => {
    expect(module.activities).toHaveLength(8);
    expect(module.activities.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const activity of module.activities) expect(activity.steps).toHaveLength(4);
    expect(module.activities[0]).toMatchObject({
      key: 'activity-1',
      title: 'Enable and Configure CloudTrail',
      line: 388,
    });
    expect(module.activities[7].steps[1]).toEqual({
      key: 'activity-8-step-2',
      number: 2,
      text: 'Configure EventBridge rules',
      line: 432,
    });
  });

  it('reads six knowledge-check questions', () => {
    expect(module.knowledgeCheck).toHaveLength(6);
    expect(module.knowledgeCheck[0]).toEqual({
      key: 'kc-1',
      number: 1,
      text: 'What is CloudTrail used for?',
      line: 440,
    });
    expect(module.knowledgeCheck[5].text).toBe('How do you respond to security incidents?');
  });

  it('reads the four resources and the link to module 6', () => {
    expect(module.resources).toHaveLength(4);
    expect(module.resources[0]).toEqual({
      title: 'CloudTrail Documentation',
      url: 'https://docs.aws.amazon.com/cloudtrail/',
    });
    expect(module.nextModule).toEqual({
      number: 6,
      title: 'Compliance and Governance',
      href: '../modules/06_Compliance_and_Governance.md',
    });
  });

  it('reads eleven checklist items, eight of them tied to activities 1..8', () => {
    expect(module.checklist).toHaveLength(11);
    expect(module.checklist.map((item) => item.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(module.checklist.filter((item) => item.activityNumber !== undefined).map((i) => i.activityNumber)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(module.checklist[0]).toEqual({
      key: 'read-all-module-content',
      position: 1,
      text: 'Read all module content',
      line: 469,
    });
    expect(module.checklist[1]).toEqual({
      key: 'completed-activity-1-enable-and-configure-cloudtrail',
      position: 2,
      text: 'Completed Activity 1: Enable and Configure CloudTrail',
      line: 470,
      activityNumber: 1,
    });
    expect(module.checklist[10].text).toBe('Ready to proceed to Module 6');
    expect(module.checklist[10].activityNumber).toBeUndefined();
  });

  it('gives the same result, line numbers included, with CRLF line endings', () => {
    expect(parseModule(MODULE_5.replace(/\n/g, '\r\n'))).toEqual(result);
  });
});

describe('parseModule on other shapes of module', () => {
  it('follows whatever counts the module has', () => {
    const module = parsed(
      md(
        '# Module 3: Storage',
        '',
        '## 1. Buckets',
        '',
        'Buckets hold **objects**.',
        '',
        '### Naming',
        '',
        'Names are global.',
        '',
        '### Access',
        '',
        'Private by default.',
        '',
        '## 2. Volumes',
        '',
        'No subsections here.',
        '',
        '## Hands-On Activities',
        '',
        '### Activity 1: Create a bucket',
        '1. Open S3',
        '2. Click create',
        '',
        '### Activity 2: Upload',
        '1. Pick a file',
        '2. Upload it',
        '3. Check the size',
        '4. Set the storage class',
        '5. Delete it',
        '',
        '### Activity 3: Clean up',
        '1. Empty the bucket',
        '',
        '## Knowledge Check',
        '',
        '1. What is a bucket?',
        '2. What is a volume?',
        '',
        '**Module Completion Checklist:**',
        '- [ ] Completed Activity 1: Create a bucket',
        '- [x] Completed Activity 3: Clean up',
      ),
    );
    expect(module.sections.map((s) => [s.number, s.subsections.length])).toEqual([
      [1, 2],
      [2, 0],
    ]);
    expect(module.sections[0].markdown).toBe('Buckets hold **objects**.');
    expect(module.sections[0].subsections[1]).toEqual({ title: 'Access', line: 11, markdown: 'Private by default.' });
    expect(module.sections[1].markdown).toBe('No subsections here.');
    expect(module.activities.map((a) => a.steps.length)).toEqual([2, 5, 1]);
    expect(module.activities[1].steps[4]).toMatchObject({ key: 'activity-2-step-5', text: 'Delete it', line: 30 });
    expect(module.knowledgeCheck.map((q) => q.key)).toEqual(['kc-1', 'kc-2']);
    expect(module.checklist.map((item) => item.activityNumber)).toEqual([1, 3]);
  });

  it('keeps section markdown exactly as written, code blocks and nested lists included', () => {
    const body = md('Run this:', '', '```bash', 'aws s3 ls  # two spaces kept', '```', '', '- a', '  - b');
    const module = parsed(smallModule({ title: md('# Module 2: Networking Basics', '', '## 4. Tools', '', body, '') }));
    expect(module.sections.find((s) => s.number === 4)?.markdown).toBe(body);
  });

  it('keeps line numbers right with CRLF line endings', () => {
    const lf = md(
      '# Module 4: Keys',
      '',
      '## 1. Rotation',
      '',
      '### Why rotate',
      '',
      'Limits exposure.',
      '',
      '## Hands-On Activities',
      '',
      '### Activity 1: Rotate a key',
      '1. Create a key',
      '2. Switch over',
      '',
      '## Knowledge Check',
      '',
      '1. Why rotate?',
      '',
      '**Module Completion Checklist:**',
      '- [ ] Completed Activity 1: Rotate a key',
    );
    const crlf = lf.replace(/\n/g, '\r\n');
    const module = parsed(crlf);
    expect(module.sections[0].line).toBe(lineWith(crlf, '## 1. Rotation'));
    expect(module.sections[0].subsections[0]).toEqual({ title: 'Why rotate', line: 5, markdown: 'Limits exposure.' });
    expect(module.activities[0].line).toBe(11);
    expect(module.activities[0].steps.map((s) => [s.text, s.line])).toEqual([
      ['Create a key', 12],
      ['Switch over', 13],
    ]);
    expect(module.knowledgeCheck[0].line).toBe(17);
    expect(module.checklist[0].line).toBe(20);
    expect(JSON.stringify(module)).not.toContain('\\r');
  });

  it('ignores a byte-order mark at the start of the file', () => {
    const module = parsed(`\uFEFF${smallModule()}`);
    expect(module.title).toBe('Networking Basics');
    expect(module.sections[0]).toMatchObject({ line: 3, markdown: 'Intro.' });
  });

  it('keeps Unicode titles as written and slugs them without accents', () => {
    const module = parsed(
      smallModule({
        title: '# Module 8: Sécurité des données 🔐 日本語',
        activities: md('## Hands-On Activities', '', '### Activity 1: Créer une clé ✨', '1. Ouvrir la console'),
        checklist: md('**Module Completion Checklist:**', '- [ ] Completed Activity 1: Créer une clé ✨', '- [ ] 読む'),
      }),
    );
    expect(module.title).toBe('Sécurité des données 🔐 日本語');
    expect(module.slug).toBe('08-securite-des-donnees-日本語');
    expect(module.activities[0].title).toBe('Créer une clé ✨');
    expect(module.checklist.map((item) => item.key)).toEqual(['completed-activity-1-creer-une-cle', '読む']);
  });

  it('keeps colons that are part of a title', () => {
    const module = parsed(
      smallModule({
        title: md('# Module 7: IAM: Roles, Policies: and Boundaries', '', '## 3. Policies: the JSON'),
        activities: md('## Hands-On Activities', '', '### Activity 1: Policies: write one', '1. Write it'),
        checklist: md('**Module Completion Checklist:**', '- [ ] Completed Activity 1: Policies: write one'),
      }),
    );
    expect(module.number).toBe(7);
    expect(module.title).toBe('IAM: Roles, Policies: and Boundaries');
    expect(module.slug).toBe('07-iam-roles-policies-and-boundaries');
    expect(module.sections.map((s) => s.title)).toContain('Policies: the JSON');
    expect(module.activities[0].title).toBe('Policies: write one');
    expect(module.checklist[0].activityNumber).toBe(1);
  });

  it('leaves missing optional parts empty without complaint', () => {
    const result = parseModule(smallModule());
    expect(result.problems).toEqual([]);
    expect(result.module).toMatchObject({
      objectives: [],
      estimatedTime: undefined,
      resources: [],
      nextModule: undefined,
    });
  });

  it('matches part headings regardless of case and small variations', () => {
    const module = parsed(
      md(
        '# module 1: Basics',
        '## Learning objectives',
        '- Know things',
        '## Estimated time',
        '',
        'About 3 hours',
        '## Hands-on activities',
        '### activity 1 - Try it',
        '1. Do it',
        '## Knowledge check:',
        '1. Why?',
        '## Resources',
        '- [Docs](https://example.com/docs)',
        '## Next steps',
        'Go on to [the wrap-up](./99_wrap_up.md).',
        '## Module completion checklist',
        '- [ ] Completed activity 1: Try it',
      ),
    );
    expect(module.objectives).toEqual(['Know things']);
    expect(module.estimatedTime).toBe('About 3 hours');
    expect(module.activities[0]).toMatchObject({ number: 1, title: 'Try it' });
    expect(module.knowledgeCheck[0].text).toBe('Why?');
    expect(module.resources).toEqual([{ title: 'Docs', url: 'https://example.com/docs' }]);
    expect(module.nextModule).toEqual({ title: 'the wrap-up', href: './99_wrap_up.md' });
    expect(module.checklist[0].activityNumber).toBe(1);
  });

  it('flattens inline Markdown in steps, questions and checklist items', () => {
    const module = parsed(
      smallModule({
        activities: md(
          '## Hands-On Activities',
          '',
          '### Activity 1: Go',
          '1. Run `aws sts get-caller-identity` **now**',
        ),
        knowledgeCheck: md('## Knowledge Check', '', '1. What does [IAM](https://aws.amazon.com/iam/) do?'),
      }),
    );
    expect(module.activities[0].steps[0].text).toBe('Run aws sts get-caller-identity now');
    expect(module.knowledgeCheck[0].text).toBe('What does IAM do?');
  });

  it('makes checklist keys unique with numeric suffixes', () => {
    const module = parsed(
      smallModule({
        checklist: md(
          '**Module Completion Checklist:**',
          '- [ ] Review notes',
          '- [ ] Review notes!',
          '- [ ] Review notes',
          '- [ ] Review notes 2',
          '- [ ] 🚀',
        ),
      }),
    );
    expect(module.checklist.map((item) => item.key)).toEqual([
      'review-notes',
      'review-notes-2',
      'review-notes-3',
      'review-notes-2-2',
      'item-5',
    ]);
  });

  it('finds a task list as the checklist when it has no label', () => {
    const module = parsed(smallModule({ checklist: md('- [ ] Completed Activity 1: Make a subnet', '- [ ] Rest') }));
    expect(module.checklist.map((item) => item.text)).toEqual(['Completed Activity 1: Make a subnet', 'Rest']);
  });
});

describe('parseModule problems', () => {
  it('reports missing-title on line 1 and returns no module', () => {
    const result = parseModule(smallModule({ title: 'Just some notes' }));
    expect(result.module).toBeUndefined();
    expect(problem(result, 'missing-title')).toMatchObject({ severity: 'error', line: 1 });
  });

  it('reports missing-title at a first heading that does not read "Module N: Title"', () => {
    const result = parseModule(smallModule({ title: md('Draft', '', '# Monitoring') }));
    expect(result.module).toBeUndefined();
    expect(problem(result, 'missing-title')).toMatchObject({ severity: 'error', line: 3 });
    expect(problem(result, 'missing-title').message).toContain('# Monitoring');
  });

  it.each([
    ['the module', { title: '# Module 2147483648: Networking Basics' }, '# Module 2147483648: Networking Basics'],
    [
      'an activity',
      {
        activities: md('## Hands-On Activities', '', '### Activity 99999999999: Make a subnet', '1. Open the console'),
        checklist: md('**Module Completion Checklist:**', '- [ ] Subnet made'),
      },
      '### Activity 99999999999: Make a subnet',
    ],
  ])(
    'reports number-too-large for %s numbered past MAX_NUMBER (it would not fit the database)',
    (_, parts, heading) => {
      const source = smallModule(parts);
      const result = parseModule(source);
      expect(problem(result, 'number-too-large')).toMatchObject({ severity: 'error', line: lineWith(source, heading) });
      expect(problem(result, 'number-too-large').message).toContain(String(MAX_NUMBER));
    },
  );

  it('takes numbers up to MAX_NUMBER', () => {
    const result = parseModule(smallModule({ title: `# Module ${MAX_NUMBER}: Networking Basics` }));
    expect(codes(result)).not.toContain('number-too-large');
    expect(result.module?.number).toBe(MAX_NUMBER);
  });

  it('reports activity-without-steps at the activity heading', () => {
    const source = smallModule({
      activities: md('## Hands-On Activities', '', '### Activity 1: Make a subnet', '', 'Just read about it.'),
    });
    const result = parseModule(source);
    expect(problem(result, 'activity-without-steps')).toMatchObject({
      severity: 'error',
      line: lineWith(source, '### Activity 1: Make a subnet'),
    });
    expect(result.module?.activities[0].steps).toEqual([]);
  });

  it('reports duplicate-activity-number at the second activity', () => {
    const source = smallModule({
      activities: md(
        '## Hands-On Activities',
        '',
        '### Activity 1: Make a subnet',
        '1. A',
        '### Activity 1: Again',
        '1. B',
      ),
    });
    const result = parseModule(source);
    expect(problem(result, 'duplicate-activity-number')).toMatchObject({
      severity: 'error',
      line: lineWith(source, '### Activity 1: Again'),
    });
    expect(codes(result)).not.toContain('activity-numbers-out-of-order');
  });

  it('warns with activity-numbers-out-of-order when activities are not 1..n', () => {
    const source = smallModule({
      activities: md(
        '## Hands-On Activities',
        '',
        '### Activity 1: Make a subnet',
        '1. A',
        '### Activity 3: Skip',
        '1. B',
      ),
      checklist: md('**Module Completion Checklist:**', '- [ ] Completed Activity 3: Skip'),
    });
    const result = parseModule(source);
    expect(problem(result, 'activity-numbers-out-of-order')).toMatchObject({
      severity: 'warning',
      line: lineWith(source, '### Activity 3: Skip'),
    });
    expect(codes(result)).toEqual(['activity-numbers-out-of-order']);
  });

  it('reports checklist-unknown-activity at the item', () => {
    const source = smallModule({
      checklist: md(
        '**Module Completion Checklist:**',
        '- [ ] Completed Activity 1: Make a subnet',
        '- [ ] Completed Activity 9: Ghost',
      ),
    });
    const result = parseModule(source);
    expect(problem(result, 'checklist-unknown-activity')).toMatchObject({
      severity: 'error',
      line: lineWith(source, '- [ ] Completed Activity 9: Ghost'),
    });
    expect(result.module?.checklist[1].activityNumber).toBe(9);
  });

  it('reports empty-knowledge-check at its heading', () => {
    const source = smallModule({ knowledgeCheck: md('## Knowledge Check', '', 'Questions to come.') });
    const result = parseModule(source);
    expect(problem(result, 'empty-knowledge-check')).toMatchObject({
      severity: 'error',
      line: lineWith(source, '## Knowledge Check'),
    });
  });

  it('warns with missing-knowledge-check when the section is absent', () => {
    const result = parseModule(smallModule({ knowledgeCheck: '' }));
    expect(problem(result, 'missing-knowledge-check')).toMatchObject({ severity: 'warning', line: 1 });
    expect(result.module?.knowledgeCheck).toEqual([]);
  });

  it('reports duplicate-section-number at the second section', () => {
    const source = smallModule({ title: md('# Module 2: Networking Basics', '', '## 2. Routing', '', '## 1. Again') });
    const result = parseModule(source);
    // "## 1. Subnets" from the template comes after "## 1. Again"
    expect(problem(result, 'duplicate-section-number')).toMatchObject({
      severity: 'error',
      line: lineWith(source, '## 1. Subnets'),
    });
    expect(codes(result)).not.toContain('section-numbers-out-of-order');
  });

  it('warns with section-numbers-out-of-order', () => {
    const source = smallModule({ title: md('# Module 2: Networking Basics', '', '## 2. Routing') });
    const result = parseModule(source);
    expect(problem(result, 'section-numbers-out-of-order')).toMatchObject({
      severity: 'warning',
      line: lineWith(source, '## 2. Routing'),
    });
  });

  it('warns with missing-checklist when there is none', () => {
    const result = parseModule(smallModule({ checklist: '' }));
    expect(problem(result, 'missing-checklist')).toMatchObject({ severity: 'warning', line: 1 });
  });

  it('warns with missing-checklist at a label with no list after it', () => {
    const source = smallModule({ checklist: md('**Module Completion Checklist:**', '', 'Coming soon.') });
    const result = parseModule(source);
    expect(problem(result, 'missing-checklist')).toMatchObject({
      severity: 'warning',
      line: lineWith(source, '**Module Completion Checklist:**'),
    });
  });

  it('warns with unrecognised-section for an unknown part heading', () => {
    const source = smallModule({ knowledgeCheck: md('## Knowlege Check', '', '1. Typo?') });
    const result = parseModule(source);
    expect(problem(result, 'unrecognised-section')).toMatchObject({
      severity: 'warning',
      line: lineWith(source, '## Knowlege Check'),
    });
    expect(codes(result)).toContain('missing-knowledge-check');
  });

  it('warns with duplicate-section when a part appears twice, keeping the first', () => {
    const source = smallModule({
      knowledgeCheck: md('## Knowledge Check', '', '1. First?', '', '## Knowledge Check', '', '1. Second?'),
    });
    const result = parseModule(source);
    const secondHeadingLine = source.split('\n').lastIndexOf('## Knowledge Check') + 1;
    expect(problem(result, 'duplicate-section')).toMatchObject({ severity: 'warning', line: secondHeadingLine });
    expect(secondHeadingLine).toBeGreaterThan(lineWith(source, '## Knowledge Check'));
    expect(result.module?.knowledgeCheck.map((q) => q.text)).toEqual(['First?']);
  });

  it('warns with unrecognised-activity-heading and no-activities', () => {
    const source = smallModule({
      activities: md('## Hands-On Activities', '', '### Lab: Make a subnet', '1. A'),
      checklist: md('**Module Completion Checklist:**', '- [ ] Read everything'),
    });
    const result = parseModule(source);
    expect(problem(result, 'unrecognised-activity-heading')).toMatchObject({
      severity: 'warning',
      line: lineWith(source, '### Lab: Make a subnet'),
    });
    expect(problem(result, 'no-activities')).toMatchObject({
      severity: 'warning',
      line: lineWith(source, '## Hands-On Activities'),
    });
  });

  it('reports every problem of a file together, by line, and still returns the module', () => {
    const source = md(
      '# Module 9: Everything Wrong',
      '## 1. One',
      '## 1. One again',
      '## Hands-On Activities',
      '### Activity 1: No steps',
      '### Activity 1: Same number',
      '1. A step',
      '## Knowledge Check',
      'Nothing here.',
      '**Module Completion Checklist:**',
      '- [ ] Completed Activity 4: Missing',
    );
    const result = parseModule(source);
    expect(result.module?.title).toBe('Everything Wrong');
    expect(result.problems.map((p) => [p.code, p.line])).toEqual([
      ['duplicate-section-number', 3],
      ['activity-without-steps', 5],
      ['duplicate-activity-number', 6],
      ['empty-knowledge-check', 8],
      ['checklist-unknown-activity', 11],
    ]);
    expect(result.problems.every((p) => p.severity === 'error' && p.message.length > 20)).toBe(true);
  });
});
