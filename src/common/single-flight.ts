/**
 * Runs one computation per key at a time: callers asking for a key whose computation is under way
 * share its promise (its result or its error); once it settles, the next caller starts a new one.
 * The key must name everything the result depends on.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, compute: () => Promise<T>): Promise<T> {
    const running = this.running.get(key);
    if (running) return running;
    const started = compute().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
