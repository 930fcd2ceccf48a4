import type axe from 'axe-core';

/**
 * The browser globals that the functions run in the page (page.evaluate,
 * addInitScript) use. The project's TypeScript has no DOM library, and adding
 * it would let server code name `window`; these functions cast globalThis.
 */
export interface PageGlobals {
  document: {
    querySelector(selector: string): { checkVisibility(): boolean } | null;
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: { violatedDirective: string; blockedURI: string; documentURI: string }) => void,
    ): void;
  };
  performance: {
    mark(name: string): void;
    getEntriesByName(name: string): { startTime: number }[];
  };
  MutationObserver: new (callback: () => void) => {
    observe(target: unknown, options: object): void;
    disconnect(): void;
  };
  console: Console;
  setTimeout(callback: () => void): void;
  axe?: typeof axe;
  /** Set by the hostile payloads of the escaping tests, were they ever run. */
  __pwned?: unknown;
  __reportCspViolation?(report: string): Promise<void>;
  /** Set by the harness's own refused inline script, were it run. */
  ran?: boolean;
}
