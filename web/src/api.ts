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

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
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
  if (res.status === 401 && opts.redirectOn401 !== false) {
    location.assign(`/sign-in?next=${encodeURIComponent(location.pathname)}`);
  }
  if (!res.ok) throw new ApiError(res.status, await problemMessage(res));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

async function problemMessage(res: Response): Promise<string> {
  try {
    const p = (await res.json()) as { title?: string; detail?: string };
    return p.detail ?? p.title ?? `Request failed (${res.status})`;
  } catch {
    return `Request failed (${res.status})`;
  }
}
