import { isDatabaseUnavailable } from '../database-unavailable';

/** What the last look at the replica found: its replay lag in seconds, or that it could not be asked. */
export type ReplicaReading = { reachable: true; lagSeconds: number | null } | { reachable: false };

export type FallbackReason = 'unreachable' | 'lag' | 'error';

export type ReportSource = { use: 'replica'; dataAgeSeconds: number } | { use: 'primary'; reason: FallbackReason };

/**
 * Where a report reads: the replica while it answers and keeps within the allowed lag, else the primary.
 * An unknown lag (a standby that has replayed nothing since it started and is behind) counts as too much.
 */
export function chooseReportSource(reading: ReplicaReading, maxLagSeconds: number): ReportSource {
  if (!reading.reachable) return { use: 'primary', reason: 'unreachable' };
  if (reading.lagSeconds === null || reading.lagSeconds > maxLagSeconds) return { use: 'primary', reason: 'lag' };
  return { use: 'replica', dataAgeSeconds: Math.ceil(Math.max(0, reading.lagSeconds)) };
}

/**
 * A failure of the replica rather than of the report: the server gone or refusing (the primary's own test,
 * isDatabaseUnavailable), or a statement cancelled because of a conflict with recovery (SQLSTATE 40001 on a
 * standby: replay needed rows the query still read). Such a read is run again on the primary.
 */
export function isReplicaFailure(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  const seen = new Set<unknown>();
  for (let current = error; typeof current === 'object' && current !== null && !seen.has(current);) {
    seen.add(current);
    if ((current as { code?: unknown }).code === '40001') return true;
    current = (current as { driverError?: unknown }).driverError;
  }
  return false;
}

/**
 * The standby's replay lag: 0 when everything received is replayed (an idle primary sends nothing, and
 * `now() - pg_last_xact_replay_timestamp()` would grow without anything being stale), else the age of the
 * last replayed commit. A server that is not in recovery (a promoted replica, or the primary itself) is
 * current. NULL when behind with nothing replayed since start.
 */
export const REPLICA_LAG_SQL = `
  SELECT CASE
           WHEN NOT pg_is_in_recovery() THEN 0
           WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
           ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
         END::float8 AS lag`;
