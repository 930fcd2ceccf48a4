import type { QuestionType, ResponseValue } from '../../content/question.types';
import type { ResponseOf } from './scoring.types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Responses arrive as stored JSON, so each field is checked at run time rather than trusted to the type.
const hasValidFields: { [T in QuestionType]: (response: Record<string, unknown>) => boolean } = {
  single_choice: (r) => typeof r.choiceId === 'string',
  multiple_choice: (r) => Array.isArray(r.choiceIds),
  true_false: (r) => typeof r.value === 'boolean',
  short_text: (r) => typeof r.text === 'string',
  numeric: (r) => typeof r.value === 'number',
  ordering: (r) => Array.isArray(r.order),
  matching: (r) => isRecord(r.pairs),
  essay: (r) => typeof r.text === 'string',
};

/** The response narrowed to the question's type, or undefined when it is missing or of another shape. */
export function responseOfType<T extends QuestionType>(
  type: T,
  response: ResponseValue | undefined,
): ResponseOf<T> | undefined {
  const value: unknown = response;
  if (!isRecord(value) || value.type !== type || !hasValidFields[type](value)) return undefined;
  return value as ResponseOf<T>;
}

/** An own property of a plain record, so ids like `constructor` never reach the prototype. */
export function ownValue(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
