import { deliveryRule } from '../attempts/policy/delivery-rule';
import { windowLine } from './progress-view';

describe('windowLine', () => {
  const rule = deliveryRule(
    {
      opensAt: new Date('2030-01-01T09:00:00Z'),
      dueAt: new Date('2030-01-08T17:00:00Z'),
      closesAt: new Date('2030-01-15T17:00:00Z'),
      attemptsAllowed: 3,
      timeLimitMinutes: null,
    },
    [],
    null,
  );
  const at = (iso: string, inProgress = false) => windowLine(rule, new Date(iso), inProgress);

  it('says when the knowledge check opens, is due, was due and closed, in UTC', () => {
    expect(at('2029-12-31T23:00:00Z')).toBe('The knowledge check opens on 2030-01-01 09:00 UTC');
    expect(at('2030-01-02T00:00:00Z')).toBe('The knowledge check is due on 2030-01-08 17:00 UTC');
    expect(at('2030-01-09T00:00:00Z')).toBe(
      'The knowledge check was due on 2030-01-08 17:00 UTC; it closes on 2030-01-15 17:00 UTC',
    );
    expect(at('2030-01-16T00:00:00Z')).toBe('The knowledge check closed on 2030-01-15 17:00 UTC; ask your instructor');
  });

  it('says nothing of a closing while an attempt is still open, nor of a quiz without dates', () => {
    expect(at('2030-01-16T00:00:00Z', true)).toBeNull();
    const open = deliveryRule(
      { opensAt: null, dueAt: null, closesAt: null, attemptsAllowed: 'unlimited', timeLimitMinutes: null },
      [],
      null,
    );
    expect(windowLine(open, new Date(), false)).toBeNull();
  });
});
