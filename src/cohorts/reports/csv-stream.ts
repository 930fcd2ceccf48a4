import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { DataSource } from 'typeorm';

const FETCH_SIZE = 2_000;
/** A cell a spreadsheet would run as a formula (learners choose names and answers) is quoted as text. */
const FORMULA = /^[=+\-@\t\r]/;
const quoteFormula = (text: string) => (FORMULA.test(text) ? `'${text}` : text);

/**
 * Rows of one statement, read through a server-side cursor a batch at a time
 * on a connection of its own: the database runs the query once, and neither
 * side holds the whole result. REPEATABLE READ gives the export one snapshot.
 * Closing the stream early (a client that goes away) closes the cursor.
 */
export async function* cursorRows<T>(dataSource: DataSource, sql: string, parameters: unknown[]): AsyncGenerator<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction('REPEATABLE READ');
    await runner.query(`DECLARE export_cursor NO SCROLL CURSOR FOR ${sql}`, parameters);
    for (;;) {
      const rows = (await runner.query(`FETCH ${FETCH_SIZE} FROM export_cursor`)) as T[];
      yield* rows;
      if (rows.length < FETCH_SIZE) break;
    }
    await runner.commitTransaction();
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
  }
}

/** A CSV stream with a header row and the given stable column names. */
export function csvStream<T>(
  columns: readonly string[],
  rows: AsyncIterable<T>,
  toRecord: (row: T) => Record<string, unknown>,
): Readable {
  const records = Readable.from(
    (async function* () {
      for await (const row of rows) yield toRecord(row);
    })(),
  );
  const csv = stringify({
    header: true,
    columns: [...columns],
    cast: {
      string: quoteFormula,
      boolean: (value) => (value ? 'true' : 'false'),
      date: (value) => value.toISOString(),
      object: (value) => quoteFormula(JSON.stringify(value)),
    },
  });
  records.on('error', (error) => csv.destroy(error));
  csv.on('close', () => records.destroy());
  return records.pipe(csv);
}
