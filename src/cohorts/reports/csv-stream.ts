import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { DataSource } from 'typeorm';

const FETCH_SIZE = 2_000;
/** A cell a spreadsheet would run as a formula (learners choose names and answers) is quoted as text. */
const FORMULA = /^[=+\-@\t\r]/;
const quoteFormula = (text: string) => (FORMULA.test(text) ? `'${text}` : text);

/** Rows read through a cursor; `close` gives the connection back when the rows were never read. */
export interface CursorRows<T> extends AsyncIterable<T> {
  close(): Promise<void>;
}

/**
 * Rows of one statement, read through a server-side cursor a batch at a time
 * on a connection of its own: the database runs the query once, and neither
 * side holds the whole result. The cursor lives inside a REPEATABLE READ
 * transaction, which gives the export one snapshot and keeps it on one server
 * connection behind PgBouncer in transaction mode (no WITH HOLD cursors).
 * Opened, and the first batch read, before this resolves: a server that
 * fails fails here, before any byte is sent. Closing the stream early (a
 * client that goes away) closes the cursor.
 */
export async function openCursor<T>(
  dataSource: DataSource,
  sql: string,
  parameters: unknown[],
): Promise<CursorRows<T>> {
  const runner = dataSource.createQueryRunner();
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
  };
  let first: T[];
  try {
    await runner.connect();
    await runner.startTransaction('REPEATABLE READ');
    await runner.query(`DECLARE export_cursor NO SCROLL CURSOR FOR ${sql}`, parameters);
    first = (await runner.query(`FETCH ${FETCH_SIZE} FROM export_cursor`)) as T[];
  } catch (error) {
    await release();
    throw error;
  }
  let started = false;
  async function* rows(): AsyncGenerator<T> {
    started = true;
    try {
      let batch = first;
      for (;;) {
        yield* batch;
        if (batch.length < FETCH_SIZE) break;
        batch = (await runner.query(`FETCH ${FETCH_SIZE} FROM export_cursor`)) as T[];
      }
      await runner.commitTransaction();
    } finally {
      await release();
    }
  }
  const iterator = rows();
  return {
    [Symbol.asyncIterator]: () => iterator,
    // A generator that never started cannot run its `finally`: give the connection back here.
    close: () => (started ? Promise.resolve() : release()),
  };
}

/** A CSV stream with a header row and the given stable column names. */
export function csvStream<T>(
  columns: readonly string[],
  rows: CursorRows<T>,
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
  csv.on('close', () => {
    records.destroy();
    void rows.close();
  });
  return records.pipe(csv);
}
