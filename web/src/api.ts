export interface SessionUser {
  id: string;
  email: string;
  name: string;
  roles: string[];
}
export interface Session {
  user: SessionUser;
  csrfToken: string;
  expiresAt: string;
}

let csrfToken: string | null = null;
let clockOffsetMs = 0;

/** The server's clock now, as its last response's Date header put it (whole seconds), in ms since the epoch. */
export function serverNow(): number {
  return Date.now() + clockOffsetMs;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The problem document's `type`, when the server sent one. */
    readonly problemType?: string,
  ) {
    super(message);
  }
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { redirectOn401?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const date = Date.parse(res.headers.get('date') ?? '');
  // The header counts whole seconds: follow it only when it disagrees by more than that, so the countdown does not jitter.
  if (!Number.isNaN(date) && Math.abs(date + 500 - Date.now() - clockOffsetMs) > 1000) {
    clockOffsetMs = date + 500 - Date.now();
  }
  if (res.status === 401 && opts.redirectOn401 !== false) {
    location.assign(`/sign-in?next=${encodeURIComponent(location.pathname)}`);
  }
  if (!res.ok) {
    const problem = await problemOf(res);
    throw new ApiError(res.status, problem.message, problem.type);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

async function problemOf(res: Response): Promise<{ message: string; type?: string }> {
  try {
    const p = (await res.json()) as { title?: string; detail?: string; type?: string };
    return { message: p.detail ?? p.title ?? `Request failed (${res.status})`, type: p.type };
  } catch {
    return { message: `Request failed (${res.status})` };
  }
}
