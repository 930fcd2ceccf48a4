import type { FieldFault } from '../errors/domain-error';

/** Deepest nesting of objects and arrays a request may carry; the API's own bodies need fewer than ten. */
export const MAX_INPUT_DEPTH = 32;

const NUL = '\u0000';

/**
 * The first thing in a parsed body, query or set of path parameters that no
 * route may receive: a NUL character in a string or a key (PostgreSQL text
 * cannot hold one, so it would fail deep inside a write), or nesting deeper
 * than MAX_INPUT_DEPTH (which recursive validation and hashing would overflow).
 * Walks iteratively, so a hostile depth cannot overflow this walk either.
 */
export function findInputFault(value: unknown, root = ''): FieldFault | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, path, depth } = pending.pop()!;
    if (typeof current === 'string') {
      if (current.includes(NUL))
        return { field: path, messages: [`${path || 'value'} must not contain NUL (\\u0000)`] };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      return { field: path, messages: [`${path || 'body'} is nested deeper than ${MAX_INPUT_DEPTH} levels`] };
    }
    const entries: [string, unknown][] = Array.isArray(current)
      ? current.map((item, index) => [String(index), item])
      : Object.entries(current);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i];
      const child = path ? `${path}.${key.replaceAll(NUL, '\\u0000')}` : key.replaceAll(NUL, '\\u0000');
      if (key.includes(NUL)) return { field: child, messages: [`the name ${child} must not contain NUL (\\u0000)`] };
      pending.push({ value: item, path: child, depth: depth + 1 });
    }
  }
  return undefined;
}
