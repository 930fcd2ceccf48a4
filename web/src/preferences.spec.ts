import { preferences } from './preferences';

/** A window whose storage the browser refuses, as in a third-party iframe with storage blocked. */
const refusing = {
  get localStorage(): Storage {
    throw new DOMException("Failed to read the 'localStorage' property from 'Window'", 'SecurityError');
  },
  get sessionStorage(): Storage {
    throw new DOMException("Failed to read the 'sessionStorage' property from 'Window'", 'SecurityError');
  },
} as unknown as typeof globalThis;

function memoryStorage(): Storage {
  const values = new Map<string, string>();
  return {
    get length() {
      return values.size;
    },
    clear: () => values.clear(),
    getItem: (key) => values.get(key) ?? null,
    key: (index) => [...values.keys()][index] ?? null,
    removeItem: (key) => void values.delete(key),
    setItem: (key, value) => void values.set(key, value),
  };
}

describe('preferences', () => {
  it('keeps values in the browser storage it is given', () => {
    const local = memoryStorage();
    const scope = { localStorage: local, sessionStorage: memoryStorage() } as unknown as typeof globalThis;
    preferences('local', scope).set('layout', 'one');
    expect(local.getItem('layout')).toBe('one');
    expect(preferences('local', scope).get('layout')).toBe('one');
    expect(preferences('session', scope).get('layout')).toBeNull();
  });

  it('keeps values for the page when the browser refuses its storage, instead of throwing', () => {
    for (const kind of ['local', 'session'] as const) {
      const kept = preferences(kind, refusing);
      expect(kept.get('layout')).toBeNull();
      kept.set('layout', 'one');
      expect(kept.get('layout')).toBe('one');
    }
  });

  it('keeps values for the page when the storage refuses a write (full)', () => {
    const full = memoryStorage();
    full.setItem = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    const kept = preferences('local', { localStorage: full } as unknown as typeof globalThis);
    kept.set('layout', 'one');
    expect(kept.get('layout')).toBe('one');
  });
});
