import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';

/**
 * Rows fetched a batch at a time, so a large export is never held in memory
 * whole. A fetcher may page by offset or, for large tables, by the last row
 * of the previous batch (keyset).
 */
export type BatchFetcher<T> = (limit: number, offset: number, previous: T | undefined) => Promise<T[]>;

export const CSV_BATCH_SIZE = 2_000;

async function* batches<T>(fetch: BatchFetcher<T>, batchSize: number): AsyncGenerator<T> {
  let previous: T | undefined;
  for (let offset = 0; ; offset += batchSize) {
    const rows = await fetch(batchSize, offset, previous);
    yield* rows;
    if (rows.length < batchSize) return;
    previous = rows.at(-1);
  }
}

/** A CSV stream with a header row and the given stable column names. */
export function csvStream<T>(
  columns: readonly string[],
  fetch: BatchFetcher<T>,
  toRecord: (row: T) => Record<string, unknown>,
  batchSize = CSV_BATCH_SIZE,
): Readable {
  const records = Readable.from(
    (async function* () {
      for await (const row of batches(fetch, batchSize)) yield toRecord(row);
    })(),
  );
  const csv = stringify({
    header: true,
    columns: [...columns],
    cast: {
      // A cell a spreadsheet would run as a formula (learners choose names and answers) is quoted as text.
      string: (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value),
      boolean: (value) => (value ? 'true' : 'false'),
      date: (value) => value.toISOString(),
      object: (value) => {
        const json = JSON.stringify(value);
        return /^[=+\-@\t\r]/.test(json) ? `'${json}` : json;
      },
    },
  });
  records.on('error', (error) => csv.destroy(error));
  return records.pipe(csv);
}
