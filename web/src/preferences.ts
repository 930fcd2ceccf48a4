/**
 * A page's small preferences (the quiz layout, the question on screen), kept in the browser's storage
 * where the browser allows it. In an LMS's iframe on another site, browsers that block third-party
 * storage throw on the first touch of `localStorage`; then the preference lasts as long as the page.
 */
export interface Preferences {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/** `kind` is which storage: 'local' outlives the tab, 'session' the page's reloads only. */
export function preferences(kind: 'local' | 'session', scope: typeof globalThis = globalThis): Preferences {
  const fallback = new Map<string, string>();
  const storage = (): Storage | null => {
    try {
      return kind === 'local' ? scope.localStorage : scope.sessionStorage;
    } catch {
      return null;
    }
  };
  return {
    get(key) {
      try {
        return storage()?.getItem(key) ?? fallback.get(key) ?? null;
      } catch {
        return fallback.get(key) ?? null;
      }
    },
    set(key, value) {
      fallback.set(key, value);
      try {
        storage()?.setItem(key, value);
      } catch {
        // Full, or refused: the value stays for this page.
      }
    },
  };
}
