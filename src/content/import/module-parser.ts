import type { Heading, Link, List, ListItem, Nodes, Root, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';
import type {
  ModuleProblem,
  ParsedActivity,
  ParsedChecklistItem,
  ParsedKnowledgeCheckQuestion,
  ParsedModule,
  ParsedNextModule,
  ParsedResource,
  ParsedSection,
  ParsedStep,
  ParsedSubsection,
  ParseResult,
  ProblemSeverity,
} from '../module.types';
import { moduleSlug, slugify } from './slug';

const TITLE = /^module\s+(\d+)\s*[:.\-–—]\s*(.+)$/i;
const NUMBERED_SECTION = /^(\d+)[.)]\s*(.+)$/;
const ACTIVITY = /^activity\s+(\d+)\s*[:.\-–—]\s*(.+)$/i;
const ESTIMATED_TIME = /^estimated\s+time\b\s*:?\s*(.*)$/i;
const CHECKLIST_LABEL = /^(module\s+)?(completion\s+)?checklist$/;
const COMPLETED_ACTIVITY = /^completed?\s+activity\s+(\d+)\b/i;
const NAMED_MODULE = /^module\s+(\d+)\b\s*[:.\-–—]?\s*(.*)$/i;
/** The largest module, section or activity number: more is a typo, and it must fit a PostgreSQL integer. */
export const MAX_NUMBER = 9_999;

type PartKind = 'objectives' | 'estimatedTime' | 'activities' | 'knowledgeCheck' | 'resources' | 'nextSteps';

const PART_HEADINGS: ReadonlyArray<[PartKind, RegExp]> = [
  ['objectives', /^learning\s+objectives?$/],
  ['estimatedTime', /^estimated\s+time\b/],
  ['activities', /^(hands[\s-]*on\s+)?activities$/],
  ['knowledgeCheck', /^knowledge\s+checks?$/],
  ['resources', /^(additional\s+)?resources$/],
  ['nextSteps', /^next\s+steps?$/],
];

/** A heading and the top-level nodes under it, up to the next heading of the same or a higher level. */
interface Block {
  heading: Heading;
  title: string;
  body: RootContent[];
}

interface ModuleParts {
  titleHeading?: Heading;
  parts: Partial<Record<PartKind, Block>>;
  sections: Block[];
  checklist?: { label: RootContent; list?: List };
}

class ProblemLog {
  readonly problems: ModuleProblem[] = [];

  error(code: string, line: number, message: string): void {
    this.add('error', code, line, message);
  }

  warning(code: string, line: number, message: string): void {
    this.add('warning', code, line, message);
  }

  sortedByLine(): ModuleProblem[] {
    return [...this.problems].sort((a, b) => a.line - b.line);
  }

  private add(severity: ProblemSeverity, code: string, line: number, message: string): void {
    this.problems.push({ severity, code, message, line });
  }
}

export function parseModule(source: string): ParseResult {
  // CRLF and lone CR become LF one for one, so line numbers still match the author's file.
  // micromark drops a leading BOM from its offsets, so drop it here too or source slices shift by one.
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const tree = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const log = new ProblemLog();
  const outline = outlineModule(tree, log);
  const header = parseTitle(outline.titleHeading, log);
  const activities = parseActivities(outline.parts.activities, log);
  const body = {
    objectives: listItemTexts(outline.parts.objectives?.body ?? []),
    estimatedTime: parseEstimatedTime(outline.parts.estimatedTime),
    sections: parseSections(outline.sections, text, log),
    activities,
    knowledgeCheck: parseKnowledgeCheck(outline.parts.knowledgeCheck, log),
    resources: parseResources(outline.parts.resources),
    nextModule: parseNextModule(outline.parts.nextSteps),
    checklist: parseChecklist(outline.checklist, activities, log),
  };
  const problems = log.sortedByLine();
  if (!header) return { problems };
  const parsed: ParsedModule = { ...header, slug: moduleSlug(header.number, header.title), ...body };
  return { module: parsed, problems };
}

// ---------------------------------------------------------------- outline

function outlineModule(tree: Root, log: ProblemLog): ModuleParts {
  const checklist = findChecklist(tree.children);
  const nodes = tree.children.filter((node) => node !== checklist?.label && node !== checklist?.list);
  const outline: ModuleParts = { parts: {}, sections: [], checklist };
  outline.titleHeading = nodes.find((node): node is Heading => node.type === 'heading' && node.depth === 1);
  for (const block of splitByHeading(nodes, 2)) classifyBlock(block, outline, log);
  return outline;
}

function classifyBlock(block: Block, outline: ModuleParts, log: ProblemLog): void {
  if (NUMBERED_SECTION.test(block.title)) {
    outline.sections.push(block);
    return;
  }
  const kind = partKindOf(block.title);
  if (!kind) {
    log.warning(
      'unrecognised-section',
      lineOf(block.heading),
      `The heading "## ${block.title}" is not part of the module format (numbered sections read "## 1. Title"); its content is not imported.`,
    );
    return;
  }
  const earlier = outline.parts[kind];
  if (earlier) {
    log.warning(
      'duplicate-section',
      lineOf(block.heading),
      `"## ${block.title}" appears again (first on line ${lineOf(earlier.heading)}); only the first one is imported.`,
    );
    return;
  }
  outline.parts[kind] = block;
}

function partKindOf(headingTitle: string): PartKind | undefined {
  const normalised = headingTitle.toLowerCase().replace(/\s+/g, ' ').replace(/:$/, '').trim();
  return PART_HEADINGS.find(([, pattern]) => pattern.test(normalised))?.[0];
}

/** A block per heading of `depth`, holding deeper headings; a higher heading ends a block without starting one. */
function splitByHeading(nodes: RootContent[], depth: number): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const node of nodes) {
    if (node.type === 'heading' && node.depth <= depth) {
      current = node.depth === depth ? { heading: node, title: plainText(node), body: [] } : undefined;
      if (current) blocks.push(current);
    } else {
      current?.body.push(node);
    }
  }
  return blocks.map(withoutRules);
}

/** `---` separators between parts are layout, not content. */
function withoutRules(block: Block): Block {
  const body = [...block.body];
  while (body[0]?.type === 'thematicBreak') body.shift();
  while (body.at(-1)?.type === 'thematicBreak') body.pop();
  return { ...block, body };
}

/** The `**Module Completion Checklist:**` label (a paragraph or heading) and the list after it. */
function findChecklist(nodes: RootContent[]): ModuleParts['checklist'] {
  const index = nodes.findIndex(isChecklistLabel);
  if (index === -1) {
    const taskList = nodes.find((node): node is List => node.type === 'list' && isTaskList(node));
    return taskList && { label: taskList, list: taskList };
  }
  const next = nodes[index + 1];
  return { label: nodes[index], list: next?.type === 'list' ? next : undefined };
}

function isChecklistLabel(node: RootContent): boolean {
  if (node.type !== 'paragraph' && node.type !== 'heading') return false;
  const text = plainText(node).toLowerCase().replace(/\s+/g, ' ').replace(/:$/, '').trim();
  return CHECKLIST_LABEL.test(text);
}

function isTaskList(list: List): boolean {
  return list.children.length > 0 && list.children.every((item) => typeof item.checked === 'boolean');
}

// ---------------------------------------------------------------- title and short parts

function parseTitle(heading: Heading | undefined, log: ProblemLog): { number: number; title: string } | undefined {
  const match = heading && TITLE.exec(plainText(heading));
  if (!match) {
    const found = heading ? ` The first heading reads "# ${plainText(heading)}".` : '';
    log.error(
      'missing-title',
      heading ? lineOf(heading) : 1,
      `The module needs a title heading like "# Module 5: Monitoring and Logging".${found}`,
    );
    return undefined;
  }
  const number = Number(match[1]);
  if (number > MAX_NUMBER) {
    log.error(
      'number-too-large',
      lineOf(heading),
      `Module ${match[1]} is numbered past ${MAX_NUMBER}; number modules 1, 2, 3…`,
    );
  }
  return { number, title: match[2].trim() };
}

function parseEstimatedTime(block: Block | undefined): string | undefined {
  if (!block) return undefined;
  const inHeading = ESTIMATED_TIME.exec(block.title)?.[1].trim();
  if (inHeading) return inHeading;
  const firstParagraph = block.body.find((node) => node.type === 'paragraph');
  return firstParagraph ? plainText(firstParagraph) || undefined : undefined;
}

function parseResources(block: Block | undefined): ParsedResource[] {
  return linksIn(block?.body ?? []).map((link) => ({ title: plainText(link) || link.url, url: link.url }));
}

function parseNextModule(block: Block | undefined): ParsedNextModule | undefined {
  const links = linksIn(block?.body ?? []);
  for (const link of links) {
    const match = NAMED_MODULE.exec(plainText(link));
    if (match) return { number: Number(match[1]), title: match[2].trim() || plainText(link), href: link.url };
  }
  const [first] = links;
  return first && { title: plainText(first), href: first.url };
}

// ---------------------------------------------------------------- numbered sections

function parseSections(blocks: Block[], text: string, log: ProblemLog): ParsedSection[] {
  const sections = blocks.map((block) => parseSection(block, text));
  checkNumbering(sections, log, {
    duplicateCode: 'duplicate-section-number',
    orderCode: 'section-numbers-out-of-order',
    noun: 'Section',
  });
  return sections;
}

function parseSection(block: Block, text: string): ParsedSection {
  const [, number = '0', title = block.title] = NUMBERED_SECTION.exec(block.title) ?? [];
  const firstSubheading = block.body.findIndex((node) => node.type === 'heading' && node.depth === 3);
  const intro = firstSubheading === -1 ? block.body : block.body.slice(0, firstSubheading);
  const subsections: ParsedSubsection[] = splitByHeading(block.body, 3).map((sub) => ({
    title: sub.title,
    line: lineOf(sub.heading),
    markdown: sourceOf(sub.body, text),
  }));
  return {
    number: Number(number),
    title: title.trim(),
    line: lineOf(block.heading),
    markdown: sourceOf(intro, text),
    subsections,
  };
}

// ---------------------------------------------------------------- activities

function parseActivities(block: Block | undefined, log: ProblemLog): ParsedActivity[] {
  if (!block) return [];
  const activities: ParsedActivity[] = [];
  for (const sub of splitByHeading(block.body, 3)) {
    const activity = parseActivity(sub, log);
    if (activity) activities.push(activity);
  }
  if (activities.length === 0) {
    log.warning(
      'no-activities',
      lineOf(block.heading),
      `"## ${block.title}" contains no activity; each one needs a heading like "### Activity 1: Title".`,
    );
  }
  checkNumbering(activities, log, {
    duplicateCode: 'duplicate-activity-number',
    orderCode: 'activity-numbers-out-of-order',
    noun: 'Activity',
  });
  return activities;
}

function parseActivity(sub: Block, log: ProblemLog): ParsedActivity | undefined {
  const line = lineOf(sub.heading);
  const match = ACTIVITY.exec(sub.title);
  if (!match) {
    log.warning(
      'unrecognised-activity-heading',
      line,
      `"### ${sub.title}" does not read "### Activity N: Title", so it is not imported as an activity.`,
    );
    return undefined;
  }
  const number = Number(match[1]);
  const key = `activity-${number}`;
  const steps: ParsedStep[] = listItemsIn(sub.body).map((item, index) => ({
    key: `${key}-step-${index + 1}`,
    number: index + 1,
    text: itemText(item),
    line: lineOf(item),
  }));
  if (steps.length === 0) {
    log.error(
      'activity-without-steps',
      line,
      `Activity ${number} has no steps; put a numbered list ("1. …") right under its heading.`,
    );
  }
  return { key, number, title: match[2].trim(), line, steps };
}

// ---------------------------------------------------------------- knowledge check and checklist

function parseKnowledgeCheck(block: Block | undefined, log: ProblemLog): ParsedKnowledgeCheckQuestion[] {
  if (!block) {
    log.warning(
      'missing-knowledge-check',
      1,
      'The module has no "## Knowledge Check" section, so it has no questions.',
    );
    return [];
  }
  const questions = listItemsIn(block.body).map((item, index) => ({
    key: `kc-${index + 1}`,
    number: index + 1,
    text: itemText(item),
    line: lineOf(item),
  }));
  if (questions.length === 0) {
    log.error(
      'empty-knowledge-check',
      lineOf(block.heading),
      `"## ${block.title}" has no questions; list them as a numbered list ("1. …").`,
    );
  }
  return questions;
}

function parseChecklist(
  checklist: ModuleParts['checklist'],
  activities: ParsedActivity[],
  log: ProblemLog,
): ParsedChecklistItem[] {
  if (!checklist?.list) {
    const line = checklist ? lineOf(checklist.label) : 1;
    log.warning(
      'missing-checklist',
      line,
      'The module has no completion checklist: add "**Module Completion Checklist:**" followed by "- [ ] …" items.',
    );
    return [];
  }
  const usedKeys = new Set<string>();
  const known = new Set(activities.map((activity) => activity.number));
  return checklist.list.children.map((item, index) => {
    const text = itemText(item);
    const position = index + 1;
    const line = lineOf(item);
    const activityNumber = activityNamedBy(text);
    if (activityNumber !== undefined && !known.has(activityNumber)) {
      log.error(
        'checklist-unknown-activity',
        line,
        `The checklist item "${text}" names Activity ${activityNumber}, but the module has no such activity.`,
      );
    }
    const key = uniqueKey(slugify(text) || `item-${position}`, usedKeys);
    return { key, position, text, line, ...(activityNumber === undefined ? {} : { activityNumber }) };
  });
}

function activityNamedBy(text: string): number | undefined {
  const match = COMPLETED_ACTIVITY.exec(text);
  return match ? Number(match[1]) : undefined;
}

function uniqueKey(base: string, used: Set<string>): string {
  let key = base;
  for (let suffix = 2; used.has(key); suffix++) key = `${base}-${suffix}`;
  used.add(key);
  return key;
}

// ---------------------------------------------------------------- shared checks and tree helpers

interface NumberingRules {
  duplicateCode: string;
  orderCode: string;
  noun: 'Section' | 'Activity';
}

function checkNumbering(items: { number: number; line: number }[], log: ProblemLog, rules: NumberingRules): void {
  for (const item of items.filter(({ number }) => number > MAX_NUMBER)) {
    log.error(
      'number-too-large',
      item.line,
      `${rules.noun} ${item.number} is numbered past ${MAX_NUMBER}; number them 1, 2, 3… in order.`,
    );
  }
  const firstLineByNumber = new Map<number, number>();
  for (const item of items) {
    const firstLine = firstLineByNumber.get(item.number);
    if (firstLine === undefined) {
      firstLineByNumber.set(item.number, item.line);
      continue;
    }
    log.error(
      rules.duplicateCode,
      item.line,
      `${rules.noun} ${item.number} appears twice (first on line ${firstLine}); give each one its own number.`,
    );
  }
  if (firstLineByNumber.size < items.length) return; // duplicates already explain the numbering
  const misplaced = items.find((item, index) => item.number !== index + 1);
  if (misplaced) {
    const expected = items.indexOf(misplaced) + 1;
    log.warning(
      rules.orderCode,
      misplaced.line,
      `${rules.noun} ${misplaced.number} is where ${rules.noun.toLowerCase()} ${expected} was expected; number them 1, 2, 3… in order.`,
    );
  }
}

/** Items of the ordered lists among `nodes`, or of the bullet lists when there is no ordered one. */
function listItemsIn(nodes: RootContent[]): ListItem[] {
  const lists = nodes.filter((node): node is List => node.type === 'list');
  const ordered = lists.filter((list) => list.ordered === true);
  return (ordered.length > 0 ? ordered : lists).flatMap((list) => list.children);
}

function listItemTexts(nodes: RootContent[]): string[] {
  return nodes
    .filter((node): node is List => node.type === 'list')
    .flatMap((list) => list.children)
    .map(itemText);
}

/** The item's own text; nested lists belong to their own items. */
function itemText(item: ListItem): string {
  return collapseSpaces(
    item.children
      .filter((child) => child.type !== 'list')
      .map((child) => toString(child))
      .join(' '),
  );
}

function linksIn(nodes: Nodes[]): Link[] {
  return nodes.flatMap((node) => {
    if (node.type === 'link') return [node];
    return 'children' in node ? linksIn(node.children) : [];
  });
}

/** The exact source text spanned by `nodes`, trimmed. */
function sourceOf(nodes: RootContent[], text: string): string {
  const first = nodes.at(0);
  const last = nodes.at(-1);
  if (!first?.position || !last?.position) return '';
  return text.slice(first.position.start.offset, last.position.end.offset).trim();
}

function plainText(node: Nodes): string {
  return collapseSpaces(toString(node));
}

function collapseSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function lineOf(node: Nodes): number {
  return node.position?.start.line ?? 1;
}
