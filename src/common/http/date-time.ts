import { ValidateBy, type ValidationOptions } from 'class-validator';

/** RFC 3339 `date-time` (what OpenAPI's `format: date-time` means): full date, time with seconds, an offset. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Whether the day exists in that month of that year (30 February does not). */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A time the API can store: RFC 3339, a real calendar date and clock time (no 30 February, no
 * leap second), which JavaScript's Date reads. `IsISO8601({ strict: true })` let through ISO 8601
 * forms Date cannot read (week dates `2024-W01-1`, the basic format `20240101T000000Z`), which
 * became an Invalid Date and a 500 from PostgreSQL.
 */
export function isDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = RFC3339.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  return (
    year >= 1 &&
    isCalendarDate(year, month, day) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59 &&
    Number.isFinite(Date.parse(value))
  );
}

export function IsDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateTime',
      validator: {
        validate: (value: unknown) => isDateTime(value),
        defaultMessage: () => '$property must be an RFC 3339 date-time, such as 2025-09-01T09:00:00Z',
      },
    },
    options,
  );
}
