import type { ResponseValue } from '../quiz-types.js';

export type SaveState =
  | { kind: 'saved' }
  | { kind: 'unsaved' }
  | { kind: 'saving' }
  | { kind: 'retrying'; inSeconds: number; reason: string }
  | { kind: 'stopped'; reason: string };

export interface SaveError {
  /** False when another try cannot help (the attempt closed, or the answer was refused). */
  retriable: boolean;
  message: string;
}

export interface AutosaveDeps {
  save: (responses: { questionVersionId: string; response: ResponseValue | null }[]) => Promise<void>;
  classify: (err: unknown) => SaveError;
  onState: (state: SaveState) => void;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  debounceMs?: number;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Saves answers as they change: changes wait `debounceMs` for more, then go
 * in one PUT; only one PUT is in flight, and what changes meanwhile goes in
 * the next. A failed save keeps its answers (a newer value of the same
 * question wins) and tries again with a doubling wait, up to 30 s; an error
 * another try cannot fix stops saving and says why.
 */
export class Autosaver {
  private readonly pending = new Map<string, ResponseValue | null>();
  private inFlight: Promise<void> | null = null;
  private timer: unknown = null;
  private failures = 0;
  private stoppedReason: string | null = null;
  private waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  constructor(private readonly deps: AutosaveDeps) {}

  get hasUnsaved(): boolean {
    return this.pending.size > 0 || this.inFlight !== null;
  }

  change(questionVersionId: string, response: ResponseValue | null): void {
    if (this.stoppedReason !== null) return;
    this.pending.set(questionVersionId, response);
    this.deps.onState({ kind: 'unsaved' });
    if (this.failures === 0) this.schedule(this.deps.debounceMs ?? 600);
  }

  /** Saves what is pending now; resolves once everything changed so far is saved, rejects if saving stops. */
  flush(): Promise<void> {
    if (this.stoppedReason !== null) return Promise.reject(new Error(this.stoppedReason));
    if (!this.hasUnsaved) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.failures = 0;
    this.schedule(0);
    return done;
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      void this.run();
    }, ms);
  }

  private async run(): Promise<void> {
    if (this.inFlight || this.pending.size === 0) return;
    const batch = [...this.pending].map(([questionVersionId, response]) => ({ questionVersionId, response }));
    this.pending.clear();
    this.deps.onState({ kind: 'saving' });
    this.inFlight = this.deps.save(batch);
    try {
      await this.inFlight;
      this.inFlight = null;
      this.failures = 0;
    } catch (err) {
      this.inFlight = null;
      for (const { questionVersionId, response } of batch) {
        if (!this.pending.has(questionVersionId)) this.pending.set(questionVersionId, response);
      }
      const error = this.deps.classify(err);
      if (!error.retriable) return this.stop(error.message);
      this.failures += 1;
      const wait = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1));
      this.deps.onState({ kind: 'retrying', inSeconds: Math.round(wait / 1000), reason: error.message });
      this.schedule(wait);
      return;
    }
    if (this.pending.size > 0) {
      this.schedule(0);
      return;
    }
    this.deps.onState({ kind: 'saved' });
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private stop(reason: string): void {
    this.stoppedReason = reason;
    this.deps.onState({ kind: 'stopped', reason });
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(reason));
  }
}
