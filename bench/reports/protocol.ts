/** Messages between bench/reports.ts (parent) and bench/reports/server.ts (the API, in a child process). */

/** One statement the API sent to PostgreSQL while a capture was on, as the pg driver received it. */
export interface CapturedStatement {
  text: string;
  values: unknown[];
  /** From the driver call to its promise settling, in the API process: includes waiting for a connection. */
  ms: number;
  rows: number;
}

export type ParentMessage = { type: 'token'; userId: string; roles: string[] } | { type: 'capture'; on: boolean };

export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'token'; token: string }
  /** Answers `capture` on: from now on statements are recorded. */
  | { type: 'capturing' }
  /** Answers `capture` off: what was recorded since it went on. */
  | { type: 'captured'; statements: CapturedStatement[] };
