import type { Dispatcher } from 'undici';

/** What the tool needs to know of a registered platform to call it. */
export interface PlatformRef {
  /** Our row id, used as a cache key. */
  id: string;
  issuer: string;
  /** The client id the platform gave the tool. */
  clientId: string;
  /** OAuth 2 token endpoint (client credentials with a JWT assertion). */
  tokenUrl: string;
  /** Optional `aud` for the client assertion when the platform names one (`authorization_server`); else tokenUrl. */
  tokenAudience?: string | null;
}

/** Signs a JWT with the tool's current private key (RS256, `kid` in the header). Main implements it. */
export interface ToolSigner {
  sign(
    payload: Record<string, unknown>,
    options: { audience: string | string[]; expiresInSeconds: number },
  ): Promise<string>;
}

/** Result of one call to a platform, classified the way the webhook dispatcher classifies deliveries. */
export type CallOutcome =
  | { kind: 'ok'; status: number; excerpt: string }
  /** Network error, timeout, 408, 429, 5xx. */
  | { kind: 'retry'; status: number | null; excerpt: string; retryAfterSeconds?: number }
  /** Any other 4xx, a malformed or oversized answer, a refused URL. */
  | { kind: 'final'; status: number | null; excerpt: string };

/** How calls to platforms are bounded; every field has a default. */
export interface PlatformCallOptions {
  /** For the whole exchange, answer body included (default 10 s). */
  timeoutMs?: number;
  /** Largest answer body read (default 1 MiB); a larger one is a `final` failure. */
  maxBodyBytes?: number;
  /** Connection pool (default undici's global one). */
  dispatcher?: Dispatcher;
  /** Which URLs may be called (default: https anywhere, http only to loopback). */
  allowUrl?: (url: URL) => boolean;
}

/** LTI AGS 2.0: the line item the tool finds or creates for one resource link. */
export interface LineItemRequest {
  resourceLinkId: string;
  resourceId: string;
  label: string;
  scoreMaximum: number;
  tag?: string;
}

/** LTI AGS 2.0: `activityProgress` of a score. */
export type ActivityProgress = 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
/** LTI AGS 2.0: `gradingProgress` of a score. */
export type GradingProgress = 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';

/** LTI AGS 2.0: a score as posted to `{lineitem}/scores` (`application/vnd.ims.lis.v1.score+json`). */
export interface Score {
  userId: string;
  scoreGiven?: number;
  /** Required with `scoreGiven`. */
  scoreMaximum?: number;
  activityProgress: ActivityProgress;
  gradingProgress: GradingProgress;
  /** ISO 8601 with sub-second precision; must increase per (line item, user): the platform drops an older one. */
  timestamp: string;
  comment?: string;
}

/** One member of a context as NRPS 2.0 reports it, in our spelling. */
export interface NrpsMember {
  userId: string;
  /** NRPS 2.0: an absent status means Active. */
  status: 'Active' | 'Inactive' | 'Deleted';
  /** Full LIS role URIs, as the platform sent them. */
  roles: string[];
  name?: string;
  email?: string;
  givenName?: string;
  familyName?: string;
}

export const MEDIA_TYPES = {
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  membershipContainer: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;

export const SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  contextMembershipReadOnly: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;
