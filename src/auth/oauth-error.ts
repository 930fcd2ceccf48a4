import { DomainError } from '../common/errors/domain-error';

export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
  'invalid_scope',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

/**
 * RFC 6749 §5.2 token-endpoint errors. The body is problem details that also
 * carries the OAuth `error` and `error_description` members, so OAuth client
 * libraries and problem-aware callers both understand it.
 */
export class OAuthError extends DomainError {
  readonly code: string;
  readonly status: number;
  readonly title = 'Token Request Refused';

  constructor(error: OAuthErrorCode, description: string) {
    const status = error === 'invalid_client' ? 401 : 400;
    super(
      description,
      { error, error_description: description },
      status === 401 ? { 'www-authenticate': 'Basic' } : {},
    );
    this.code = `oauth-${error.replace(/_/g, '-')}`;
    this.status = status;
  }
}
