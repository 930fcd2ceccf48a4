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

/** A problem+json body (RFC 9457) with whatever extension members the route adds. */
export type ProblemBody = Record<string, unknown>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The problem as the API sent it (e.g. an import's `problems`); null when the body was not JSON. */
    readonly problem: ProblemBody | null = null,
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
    const problem = await problemBody(res);
    throw new ApiError(res.status, problemMessage(res.status, problem), problem);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

async function problemBody(res: Response): Promise<ProblemBody | null> {
  try {
    const body: unknown = await res.json();
    return body !== null && typeof body === 'object' ? (body as ProblemBody) : null;
  } catch {
    return null;
  }
}

function problemMessage(status: number, p: ProblemBody | null): string {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return text(p?.detail) ?? text(p?.title) ?? `Request failed (${status})`;
}
