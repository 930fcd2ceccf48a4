import { createHash } from 'node:crypto';
import type { LabelledItem, QuestionDefinition, QuestionType } from './question.types';

/**
 * What a learner may see of a question before any review: a whitelist per
 * type, so a field added to a definition later stays hidden until it is
 * listed here. Never the key (correct, accepted, keywordGroups, answer,
 * tolerance, correctOrder, pairs, anticipated answers), explanations, feedback or rubrics.
 * A hint is the one thing of the key's meant for the learner while answering.
 */
export interface LearnerQuestion {
  type: QuestionType;
  prompt: string;
  points: number;
  /** The author's hint, shown from the start of the attempt. */
  hint?: string;
  /** single_choice, multiple_choice: ids and texts, no feedback. */
  choices?: LabelledItem[];
  /** ordering: the items, never in their right order. */
  items?: LabelledItem[];
  /** matching: what to match… */
  prompts?: LabelledItem[];
  /** …and what to match it with, never lined up with the prompts. */
  options?: LabelledItem[];
  /** numeric */
  unit?: string;
  /** essay */
  maxWords?: number;
}

export function toLearnerQuestion(definition: QuestionDefinition): LearnerQuestion {
  const common = {
    type: definition.type,
    prompt: definition.prompt,
    points: definition.points,
    ...(definition.hint === undefined ? {} : { hint: definition.hint }),
  };
  switch (definition.type) {
    case 'single_choice':
    case 'multiple_choice':
      return { ...common, choices: definition.choices.map(labelled) };
    case 'true_false':
    case 'short_text':
      return common;
    case 'numeric':
      return { ...common, ...(definition.unit === undefined ? {} : { unit: definition.unit }) };
    case 'ordering':
      return {
        ...common,
        items: scrambled(definition.items.map(labelled), definition.correctOrder, definition.prompt),
      };
    case 'matching': {
      const prompts = definition.prompts.map(labelled);
      const lined = prompts.map((prompt) => definition.pairs[prompt.id]);
      return { ...common, prompts, options: scrambled(definition.options.map(labelled), lined, definition.prompt) };
    }
    case 'essay':
      return { ...common, ...(definition.maxWords === undefined ? {} : { maxWords: definition.maxWords }) };
  }
}

const labelled = ({ id, text }: LabelledItem): LabelledItem => ({ id, text });

/**
 * Authors tend to write ordering items in their right order and matching
 * options beside their prompts, which would give the answer away. A stable
 * order from a hash instead; if that happens to spell the answer, rotate it.
 */
function scrambled(items: LabelledItem[], answer: (string | undefined)[], salt: string): LabelledItem[] {
  const rank = (item: LabelledItem) => createHash('sha256').update(`${salt}\u0000${item.id}`).digest('hex');
  const ordered = [...items].sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
  const spellsAnswer = items.length > 1 && answer.every((id, index) => ordered[index]?.id === id);
  return spellsAnswer ? [...ordered.slice(1), ordered[0]] : ordered;
}
