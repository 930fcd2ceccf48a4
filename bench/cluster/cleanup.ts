/**
 * What the cluster benches started (servers, PgBouncer, API instances, scratch
 * folders), undone in reverse order at the end, on an error, and on Ctrl-C.
 */
type Step = () => void | Promise<void>;

const steps: { what: string; step: Step }[] = [];
let running: Promise<void> | undefined;

/** Registers `step` to run at clean-up; returns a function that runs it now (and not again later). */
export function onCleanup(what: string, step: Step): () => Promise<void> {
  const entry = { what, step };
  steps.push(entry);
  return async () => {
    const at = steps.indexOf(entry);
    if (at < 0) return;
    steps.splice(at, 1);
    await step();
  };
}

export function cleanUp(): Promise<void> {
  running ??= (async () => {
    while (steps.length > 0) {
      const { what, step } = steps.pop()!;
      try {
        await step();
      } catch (error) {
        console.error(`clean-up of ${what} failed:`, error);
      }
    }
  })();
  return running;
}

/** Ctrl-C or a kill: clean up, then exit with the signal's code. */
export function cleanUpOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping what the bench started`);
      void cleanUp().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
    });
  }
}

/** Runs `main`, always cleaning up after it; a failure prints and exits 1. */
export function runBench(main: () => Promise<void>): void {
  cleanUpOnSignals();
  main()
    .then(cleanUp)
    .catch(async (error: unknown) => {
      console.error(error);
      await cleanUp();
      process.exit(1);
    });
}
