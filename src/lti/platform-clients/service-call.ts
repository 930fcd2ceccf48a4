import { callPlatform, type boundedOptions, type PlatformAnswer } from './platform-http';
import type { PlatformTokens } from './platform-tokens';
import type { PlatformRef } from './types';

/**
 * One call to a platform's service with a bearer token for `scopes`. A 401 means the token was
 * revoked or expired early (RFC 6750 §3.1 `invalid_token`): the cached tokens are dropped and the
 * call is made once more with a fresh one. Returns the answer, whatever its status; a token that
 * cannot be had, or no answer, throws a PlatformCallError.
 */
export async function callService(
  tokens: PlatformTokens,
  platform: PlatformRef,
  scopes: string[],
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  options: ReturnType<typeof boundedOptions>,
): Promise<PlatformAnswer> {
  const send = async (token: string) =>
    callPlatform(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } }, options);
  const token = await tokens.token(platform, scopes);
  const answer = await send(token);
  if (answer.status !== 401) return answer;
  tokens.forget(platform.id, token);
  return send(await tokens.token(platform, scopes));
}
