import fc from 'fast-check';
import { isDateTime } from './date-time';

describe('isDateTime', () => {
  it.each([
    '2025-09-01T09:00:00Z',
    '2025-09-01T09:00:00.123Z',
    '2024-02-29T23:59:59.999999999+14:00',
    '1970-01-01T00:00:00-12:00',
  ])('accepts %s', (value) => {
    expect(isDateTime(value)).toBe(true);
  });

  it.each([
    '2024-W01-1',
    '20240101T000000Z',
    '2024-001',
    '2024-01-01',
    '2024-01-01T00:00Z',
    '2024-01-01 00:00:00Z',
    '2024-01-01T00:00:00',
    '2024-02-30T00:00:00Z',
    '2016-12-31T23:59:60Z',
    '2024-01-01T24:00:00Z',
    '+275760-09-13T00:00:00.001Z',
    '0000-01-01T00:00:00Z',
    'yesterday',
    '',
  ])('refuses %s', (value) => {
    expect(isDateTime(value)).toBe(false);
  });

  it('accepts what Date#toISOString writes, and whatever it accepts Date reads', () => {
    const date = fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(fc.property(date, (value) => isDateTime(value.toISOString())));
    fc.assert(
      fc.property(fc.string(), (value) => {
        if (isDateTime(value)) expect(Number.isFinite(new Date(value).getTime())).toBe(true);
      }),
    );
  });
});
