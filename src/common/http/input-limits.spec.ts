import fc from 'fast-check';
import { findInputFault, MAX_INPUT_DEPTH } from './input-limits';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

const containsNul = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.includes('\u0000')
    : typeof value === 'object' && value !== null
      ? Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item))
      : false;

/** JSON-like values whose strings and keys sometimes hold a NUL. */
const poisoned = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: fc.constantFrom('a', 'é', '\u0000') }),
    fc.integer(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: fc.constantFrom('k', '\u0000') }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('findInputFault', () => {
  it('lets ordinary input through', () => {
    expect(findInputFault({ name: 'Ada', tags: ['a', 'b'], n: 1, nothing: null, ok: true })).toBeUndefined();
    expect(findInputFault(nested(MAX_INPUT_DEPTH))).toBeUndefined();
  });

  it('names the field holding a NUL, in values and in keys', () => {
    expect(findInputFault({ grades: [{ reason: 'ok' }, { reason: 'a\u0000' }] })).toEqual({
      field: 'grades.1.reason',
      messages: ['grades.1.reason must not contain NUL (\\u0000)'],
    });
    expect(findInputFault({ 'k\u0000': 1 })?.field).toBe('k\\u0000');
    expect(findInputFault('a\u0000', 'ref')?.field).toBe('ref');
  });

  it('stops at the level past the limit, however deep the input goes', () => {
    const fault = findInputFault({ body: nested(100_000) });
    // The body is level 1, so the field of the 33rd level has 32 segments.
    expect(fault?.field.split('.')).toHaveLength(MAX_INPUT_DEPTH);
    expect(fault?.messages[0]).toMatch(/nested deeper than 32 levels/);
  });

  it('finds a NUL anywhere in any JSON value, and nothing where there is none', () => {
    fc.assert(
      fc.property(poisoned, (value) => {
        expect(findInputFault(value) === undefined).toBe(!containsNul(value));
      }),
    );
  });
});
