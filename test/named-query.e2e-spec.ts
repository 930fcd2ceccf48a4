import { DataSource, QueryFailedError } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { namedQuery } from '../src/database/named-query';
import { createTestDatabase, type TestDatabase } from './support/database';

/** The hot paths' prepared statements (src/database/named-query.ts) against a real database. */
describe('namedQuery (e2e)', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];
  // One connection: every statement of a test lands on the same one.
  const open = async (namedStatements: boolean) => {
    const source = createDataSource({ url: database.url, poolSize: 1, namedStatements });
    sources.push(await source.initialize());
    return source;
  };
  const prepared = async (source: DataSource) =>
    (await source.query<{ name: string }[]>('SELECT name FROM pg_prepared_statements')).map((row) => row.name);

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const source of sources) await source.destroy();
    await database.drop();
  });

  it('prepares the statement once per connection and answers like manager.query', async () => {
    const source = await open(true);
    await source.transaction(async (manager) => {
      const first = await namedQuery<{ n: number }>(manager, 'probe', 'SELECT $1::int + 1 AS n', [41]);
      const second = await namedQuery<{ n: number }>(manager, 'probe', 'SELECT $1::int + 1 AS n', [1]);
      expect([first, second]).toEqual([[{ n: 42 }], [{ n: 2 }]]);
      const names = (await manager.query<{ name: string }[]>('SELECT name FROM pg_prepared_statements')).map(
        (row) => row.name,
      );
      expect(names.filter((name) => name.startsWith('probe_'))).toHaveLength(1);
    });
  });

  it('runs inside the caller’s transaction: it sees that transaction’s rows, and a rollback takes them', async () => {
    const source = await open(true);
    await source.query('CREATE TABLE IF NOT EXISTS named_probe (id int PRIMARY KEY)');
    await expect(
      source.transaction(async (manager) => {
        await manager.query('INSERT INTO named_probe VALUES (7)');
        const seen = await namedQuery(manager, 'probe_read', 'SELECT id FROM named_probe WHERE id = $1', [7]);
        expect(seen).toEqual([{ id: 7 }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await namedQuery(source.manager, 'probe_read', 'SELECT id FROM named_probe WHERE id = $1', [7])).toEqual([]);
  });

  it('fails as TypeORM does, with the database’s error code', async () => {
    const source = await open(true);
    const failure = namedQuery(source.manager, 'probe_fail', 'SELECT 1 / $1::int AS n', [0]);
    await expect(failure).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failure).rejects.toMatchObject({ driverError: { code: '22012' } });
  });

  it('sends unnamed statements when named ones are turned off (DB_NAMED_STATEMENTS=false)', async () => {
    const source = await open(false);
    expect(await namedQuery(source.manager, 'probe_off', 'SELECT $1::int AS n', [5])).toEqual([{ n: 5 }]);
    expect((await prepared(source)).filter((name) => name.startsWith('probe_off'))).toEqual([]);
  });
});
