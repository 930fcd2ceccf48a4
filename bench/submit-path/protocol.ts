/** Messages between the bench (parent) and a server process (child), over the IPC channel. */

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** What a seeding child reports once Module 5 is imported. */
export interface SeedReport {
  status: string;
  moduleId: string;
  slug: string;
}

/** A statement a server sent to PostgreSQL; one per round trip. */
export interface QueryRecord {
  text: string;
}

/** The server's own view of an interval between two asks. */
export interface ServerStats {
  /** process.memoryUsage() at the end of the interval, after a full garbage collection if asked. */
  memory: NodeJS.MemoryUsage;
  /** Share of the interval the event loop was not waiting for I/O (includes time preempted by other processes). */
  eventLoopUtilization: number;
  /** How late timers ran, ms: the queueing every request sees. */
  eventLoopDelay: { p50: number; p99: number; max: number };
}

export type ChildMessage =
  | { type: 'listening'; port: number }
  | { type: 'seeded'; report: SeedReport }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'queries'; queries: QueryRecord[] }
  | { type: 'profiling' }
  | { type: 'profiled'; file: string };

export type ParentMessage =
  /** Reply with ServerStats since the last ask; `gc`: collect fully first (the child runs with --expose-gc). */
  | { type: 'stats'; gc: boolean }
  /** Reply with the statements sent since the last ask (only with BENCH_COUNT_QUERIES=1). */
  | { type: 'queries' }
  /** Start V8's sampling CPU profiler, or stop it and write the profile to `file` (.cpuprofile). */
  | { type: 'profile'; action: 'start' }
  | { type: 'profile'; action: 'stop'; file: string };
