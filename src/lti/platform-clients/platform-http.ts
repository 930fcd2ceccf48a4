import type { IncomingHttpHeaders } from 'node:http';
import { request, type Dispatcher } from 'undici';
import type { CallOutcome, PlatformCallOptions } from './types';

/** For one whole exchange with a platform, body included. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** A line items page or a roster page is far below this; a larger answer is refused. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** What an outcome keeps of an answer, as the webhook deliveries keep. */
export const EXCERPT_CHARS = 1_024;

/** A call to a platform that did not succeed, with its outcome (retry or final) for the caller to record. */
export class PlatformCallError extends Error {
  override readonly name = 'PlatformCallError';

  constructor(readonly outcome: Exclude<CallOutcome, { kind: 'ok' }>) {
    super(`platform call failed (${outcome.kind}, ${outcome.status ?? 'no status'}): ${outcome.excerpt}`);
  }
}

/** A platform's answer, its body read whole (within the byte cap). */
export interface PlatformAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The default URL predicate: https anywhere, http only to this machine (test platforms); never credentials in the URL. */
export function httpsOrLoopback(url: URL): boolean {
  if (url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/** The options with their defaults filled in. */
export function boundedOptions(options: PlatformCallOptions = {}): Required<Omit<PlatformCallOptions, 'dispatcher'>> & {
  dispatcher?: Dispatcher;
} {
  return {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    allowUrl: options.allowUrl ?? httpsOrLoopback,
    dispatcher: options.dispatcher,
  };
}

/**
 * One HTTP exchange with a platform, bounded: the URL must pass the predicate, the whole exchange
 * (body included) ends within the timeout, redirects are not followed, and a body over the byte cap
 * is abandoned. Any answer is returned, whatever its status; a failure to get one throws a
 * PlatformCallError (retry for the network and the clock, final for a refused URL or a huge body).
 */
export async function callPlatform(
  rawUrl: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  options: ReturnType<typeof boundedOptions>,
): Promise<PlatformAnswer> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new PlatformCallError({ kind: 'final', status: null, excerpt: `not sent: ${rawUrl} is not an absolute URL` });
  }
  if (!options.allowUrl(url)) {
    throw new PlatformCallError({ kind: 'final', status: null, excerpt: `not sent: ${url.origin} is not allowed` });
  }
  const timeout = options.timeoutMs;
  const signal = AbortSignal.timeout(timeout);
  try {
    const response = await request(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const body = await readCapped(response.body, options.maxBodyBytes);
    if (body === null) {
      throw new PlatformCallError({
        kind: 'final',
        status: response.statusCode,
        excerpt: `answer over ${options.maxBodyBytes} bytes, not read`,
      });
    }
    return { status: response.statusCode, headers: response.headers, body };
  } catch (error) {
    if (error instanceof PlatformCallError) throw error;
    const failure = error as { code?: unknown; name?: string };
    // A system or undici error code (a DOMException's is a number, and says nothing).
    const code = typeof failure.code === 'string' ? failure.code : undefined;
    const timedOut =
      signal.aborted ||
      failure.name === 'TimeoutError' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT';
    const excerpt = timedOut ? `no answer within ${timeout} ms` : `no answer: ${code ?? failure.name ?? 'error'}`;
    throw new PlatformCallError({ kind: 'retry', status: null, excerpt });
  }
}

/** The body as text, or null when it is longer than `cap` bytes (reading stops there). */
async function readCapped(body: Dispatcher.ResponseData['body'], cap: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) {
      // Leaving the loop destroys the body and its connection: a platform cannot make us hold more.
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An answer sorted as the webhook dispatcher sorts deliveries: 2xx ok; 408, 429 and 5xx retry
 * (with Retry-After when given); any other status final.
 */
export function classify(answer: PlatformAnswer): CallOutcome {
  const { status } = answer;
  const excerpt = answer.body.slice(0, EXCERPT_CHARS);
  if (status >= 200 && status < 300) return { kind: 'ok', status, excerpt };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterSeconds = retryAfter(answer.headers['retry-after']);
    return retryAfterSeconds === undefined
      ? { kind: 'retry', status, excerpt }
      : { kind: 'retry', status, excerpt, retryAfterSeconds };
  }
  return { kind: 'final', status, excerpt };
}

/** The answer's outcome as an error, for a status that is not 2xx. */
export function failureOf(answer: PlatformAnswer): PlatformCallError {
  const outcome = classify(answer);
  return new PlatformCallError(
    outcome.kind === 'ok' ? { kind: 'final', status: answer.status, excerpt: outcome.excerpt } : outcome,
  );
}

/** A 2xx answer whose body is not what the specification says: final (sending it again will not help). */
export function malformed(answer: PlatformAnswer, what: string): PlatformCallError {
  return new PlatformCallError({
    kind: 'final',
    status: answer.status,
    excerpt: `${what}: ${answer.body.slice(0, EXCERPT_CHARS - what.length - 2)}`,
  });
}

/** The body as JSON, or a final PlatformCallError naming what was expected. */
export function parseJson(answer: PlatformAnswer, what: string): unknown {
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    throw malformed(answer, `${what} is not JSON`);
  }
}

/** Retry-After in seconds (delta or HTTP date, RFC 9110 §10.2.3), capped at a day; undefined when absent or unreadable. */
export function retryAfter(value: string | string[] | undefined): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (!header) return undefined;
  const trimmed = header.trim();
  const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : (Date.parse(trimmed) - Date.now()) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 86_400) : undefined;
}

/**
 * The target of the `rel="next"` link of a Link header (RFC 8288), resolved against the URL that
 * was asked for; null when there is none. Several headers, several links in one header, quoted or
 * bare `rel` values holding several relation types, and commas inside `<…>` are all handled.
 */
export function nextLink(header: string | string[] | undefined, base: string): string | null {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const value of values) {
    for (const link of parseLinkHeader(value)) {
      if (link.rels.includes('next')) {
        try {
          return new URL(link.target, base).toString();
        } catch {
          return null;
        }
      }
    }
  }
  return null;
}

/** The links of one Link header value: each target with its relation types (lower-cased). */
export function parseLinkHeader(value: string): { target: string; rels: string[] }[] {
  const links: { target: string; rels: string[] }[] = [];
  // <target> followed by parameters up to the next top-level comma; a quoted value may hold commas.
  const pattern = /<([^>]*)>((?:\s*;\s*[^;,="]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,]*))?)*)/g;
  for (const match of value.matchAll(pattern)) {
    const rels: string[] = [];
    for (const parameter of match[2].matchAll(/;\s*([^;,="\s]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,]*))?/g)) {
      if (parameter[1].toLowerCase() !== 'rel' || parameter[2] === undefined) continue;
      const raw = parameter[2].trim();
      const unquoted = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
      rels.push(...unquoted.toLowerCase().split(/\s+/).filter(Boolean));
    }
    links.push({ target: match[1].trim(), rels });
  }
  return links;
}

/** Adds query parameters to a URL that may already have a query (a line items URL often does). */
export function withQuery(rawUrl: string, parameters: Record<string, string | undefined>): string {
  const url = new URL(rawUrl);
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.toString();
}

/** The Content-Type's media type, lower-cased, without its parameters. */
export function mediaTypeOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? '').split(';')[0].trim().toLowerCase();
}
