import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRemoteJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

/*
 * A test LTI 1.3 platform (a fake LMS) on loopback, written from the IMS specifications: LTI 1.3
 * Core (OIDC third-party login and the id_token), the 1EdTech Security Framework 1.0 (client
 * credentials with a JWT client assertion), Deep Linking 2.0, Assignment and Grade Services 2.0
 * and Names and Role Provisioning Services 2.0. It checks what a strict platform checks and keeps
 * what it received, so tests can assert on both sides.
 */

/** Claim names of LTI 1.3 Core and its services. */
export const LTI_CLAIMS = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  deepLinkingContentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  deepLinkingData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  deepLinkingMessage: 'https://purl.imsglobal.org/spec/lti-dl/claim/msg',
} as const;

/** Claim names of LTI Dynamic Registration 1.0 (in the OpenID configuration and the tool's registration). */
export const DYNAMIC_REGISTRATION_CLAIMS = {
  platformConfiguration: 'https://purl.imsglobal.org/spec/lti-platform-configuration',
  toolConfiguration: 'https://purl.imsglobal.org/spec/lti-tool-configuration',
} as const;

/** Full LIS role URIs (LTI 1.3 Core, role vocabularies) for launches and members. */
export const LIS_ROLES = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  teachingAssistant: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
  contentDeveloper: 'http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper',
  administrator: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator',
  institutionStudent: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student',
} as const;

/** OAuth 2 scopes of AGS 2.0 and NRPS 2.0 that the token endpoint grants. */
export const SERVICE_SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  contextMembershipReadOnly: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

const MEDIA = {
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  membershipContainer: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ACTIVITY_PROGRESS = new Set(['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed']);
const GRADING_PROGRESS = new Set(['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady']);
const MAX_REQUEST_BYTES = 1024 * 1024;

/** What a test prepares before the tool's login: who launches, from where, to what. */
export interface TestLaunch {
  /** Default `LtiResourceLinkRequest`. */
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  user: { sub: string; name?: string; email?: string; givenName?: string; familyName?: string };
  /** Full LIS role URIs (see LIS_ROLES). */
  roles: string[];
  context?: { id: string; title?: string; label?: string };
  /** Required by LTI Core for a resource link launch; ignored for deep linking. */
  resourceLink?: { id: string; title?: string };
  custom?: Record<string, string>;
  targetLinkUri: string;
  /** Deep Linking 2.0 settings of an `LtiDeepLinkingRequest` (defaults: this platform's return URL, `ltiResourceLink`, several items, line items accepted). */
  deepLinking?: {
    returnUrl?: string;
    acceptTypes?: string[];
    acceptMultiple?: boolean;
    acceptLineItem?: boolean;
    data?: string;
  };
  /** Include the AGS endpoint claim (line items URL of the context, its line item for the link when one exists, scopes). */
  ags?: boolean;
  /** Include the NRPS claim (the context's memberships URL). */
  nrps?: boolean;
  /** Override or add claims after the standard ones are built (`undefined` removes one): for refusal tests. */
  claims?: Record<string, unknown>;
}

/** A launch ready for the tool: the hints, and every parameter of the OIDC third-party login initiation. */
export interface PreparedLaunch {
  loginHint: string;
  ltiMessageHint: string;
  /** LTI 1.3 Core, third-party initiated login: what the platform sends to the tool's login URL. */
  loginParameters: {
    iss: string;
    login_hint: string;
    target_link_uri: string;
    lti_message_hint: string;
    client_id: string;
    lti_deployment_id: string;
  };
}

/** One request to the authorization endpoint and what the platform made of it. */
export interface AuthorizeRequest {
  parameters: Record<string, string>;
  /** Why it was refused (an OIDC error code and a description), when it was. */
  error?: string;
  idToken?: string;
  claims?: JWTPayload;
}

/** One request to the token endpoint and what the platform made of it. */
export interface TokenRequest {
  scopes: string[];
  /** The client assertion's claims, when it could be decoded. */
  assertion?: JWTPayload;
  accepted: boolean;
  /** Why it was refused, when it was. */
  error?: string;
}

/** An AGS line item as the platform holds it (`id` is its URL). */
export interface TestLineItem {
  id: string;
  contextId: string;
  label: string;
  scoreMaximum: number;
  resourceId?: string;
  resourceLinkId?: string;
  tag?: string;
  startDateTime?: string;
  endDateTime?: string;
}

/** A score as received on `{lineitem}/scores`. */
export interface ReceivedScore {
  lineItemId: string;
  contentType: string;
  body: Record<string, unknown>;
  /** The status answered: 204 when kept; 409 when its timestamp was not newer than the last kept one. */
  status: number;
  accepted: boolean;
  reason?: string;
}

/** An NRPS member in the wire format of NRPS 2.0 (leave `status` out to test that it means Active). */
export interface TestMember {
  user_id: string;
  roles: string[];
  status?: 'Active' | 'Inactive' | 'Deleted';
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  picture?: string;
}

/** A deep linking response posted back to the platform, and whether it passed the platform's checks. */
export interface DeepLinkResponse {
  accepted: boolean;
  error?: string;
  claims?: JWTPayload;
  contentItems: Record<string, unknown>[];
}

/** A registration posted to the registration endpoint (LTI Dynamic Registration 1.0) and what the platform made of it. */
export interface ReceivedRegistration {
  headers: IncomingHttpHeaders;
  /** The tool's configuration as posted (empty when it was not a JSON object). */
  body: Record<string, unknown>;
  status: number;
  accepted: boolean;
  /** Why it was refused, when it was. */
  error?: string;
}

/** A request the platform received (any endpoint). */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A scripted answer for `answerNext`: a status, a reset connection, or a delay before the usual answer. */
export type ScriptedAnswer =
  { status: number; headers?: Record<string, string>; body?: string } | { reset: true } | { delayMs: number };

/** Options of `startTestPlatform`. */
export interface TestPlatformOptions {
  /** Where the tool publishes its JWKS (a function when the tool's port is known only later). */
  toolJwksUrl: string | (() => string);
  /** Default `tool-client-1`. */
  clientId?: string;
  /** Default `deployment-1`. */
  deploymentId?: string;
  /** The tool's registered launch (redirect) URIs; settable later with `setRedirectUris`. */
  redirectUris?: string[];
  /** The `aud` a client assertion must carry (default the token URL). */
  tokenAudience?: string;
  /** `expires_in` of access tokens (default 3600). */
  tokenLifetimeSeconds?: number;
  /** Items per page of line items and memberships when the tool gives no `limit` (default 10). */
  pageSize?: number;
}

/** A running test platform. */
export interface TestPlatform {
  /** Base URL, also the `issuer`. */
  url: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  authorizeUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  deepLinkReturnUrl: string;
  /** LTI Dynamic Registration: where its OpenID configuration is served (`/.well-known/openid-configuration`). */
  openidConfigurationUrl: string;
  /** The OpenID configuration's `registration_endpoint`. */
  registrationUrl: string;
  /** The platform's current public key, as published in its JWKS. */
  publicJwk: JWK;
  /** The same key as SPKI PEM: the secret of an HS256 key-confusion attack. */
  publicKeyPem: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  authorizeRequests: AuthorizeRequest[];
  tokenRequests: TokenRequest[];
  lineItems: TestLineItem[];
  scores: ReceivedScore[];
  deepLinkResponses: DeepLinkResponse[];
  registrations: ReceivedRegistration[];

  /**
   * A one-time registration token, as the platform adds it to the tool's registration URL; the registration
   * endpoint accepts it (as a bearer token) once.
   */
  issueRegistrationToken(): string;
  /** The OpenID configuration as served now (LTI Dynamic Registration 1.0 §3.4). */
  openidConfiguration(): Record<string, unknown>;
  /** Overrides fields of the served OpenID configuration (`undefined` removes one): for refusal tests. */
  setOpenidConfiguration(overrides: Record<string, unknown>): void;
  /** Registers a launch; the tool's login with the returned hints gets an id_token for it. */
  prepareLaunch(launch: TestLaunch): PreparedLaunch;
  /**
   * A course page of this platform (for a browser) that embeds the tool in an iframe named `tool`, opened
   * at `toolLoginUrl`, and keeps the LTI client-side storage in its window: it answers `lti.capabilities`,
   * `lti.put_data` and `lti.get_data` (1EdTech LTI postMessage Storage), keyed by the sender's origin, and
   * logs each message in `window.ltiStorageLog` as `[subject, origin, key]`.
   */
  coursePageUrl(toolLoginUrl: string): string;
  /**
   * Plays the browser at the authorization endpoint: GETs the URL the tool redirected to (its
   * login's `Location`) and returns the auto-posted form (`id_token` and `state`, or `error`).
   */
  authenticate(authorizationUrl: string): Promise<{ status: number; action: string; fields: Record<string, string> }>;
  /** The claims of the id_token the platform would issue for this launch and nonce (for crafting refusals). */
  launchClaims(launch: TestLaunch, nonce: string): JWTPayload;
  /** Signs claims as they are (RS256 with the platform's key by default; `kid: null` leaves it out). */
  signIdToken(claims: JWTPayload, options?: { alg?: string; kid?: string | null; key?: SigningKey }): Promise<string>;
  /** A private RSA key the platform's JWKS does not hold (the same one on every call). */
  strayKey(): Promise<SigningKey>;
  /** A new signing key and kid; the old key stays published unless `keepOld` is false. */
  rotateKey(options?: { keepOld?: boolean }): Promise<void>;
  setRedirectUris(...uris: string[]): void;
  /** The context's line items URL (the AGS claim's `lineitems`). */
  lineItemsUrl(contextId: string): string;
  /** The context's memberships URL (the NRPS claim's `context_memberships_url`). */
  membershipsUrl(contextId: string): string;
  /** Adds a line item as an instructor would in the gradebook; returns it. */
  addLineItem(contextId: string, item: Omit<TestLineItem, 'id' | 'contextId'>): TestLineItem;
  /** The last kept score of a user on a line item (what the gradebook shows). */
  resultOf(lineItemId: string, userId: string): Record<string, unknown> | undefined;
  /**
   * The context's roster. `paging`: `normal` (default), `repeat-self` (every page's next link is
   * itself) or `endless` (next links never end, past the last member with empty pages).
   */
  setMembers(
    contextId: string,
    members: TestMember[],
    options?: { paging?: 'normal' | 'repeat-self' | 'endless' },
  ): void;
  /** Whether the line items container applies `resource_link_id`, `resource_id` and `tag` (default on; some platforms ignore them). */
  filterLineItems(on: boolean): void;
  /** Invalidates every access token issued (a service then answers 401). */
  revokeTokens(): void;
  /** While on, every request answers 503 (with Retry-After when given), or has its connection reset. */
  down(on: boolean, options?: { reset?: boolean; retryAfterSeconds?: number }): void;
  /** The next request(s) matching `path` (and `method`) get this answer instead of the usual one. */
  answerNext(answer: ScriptedAnswer, options?: { times?: number; path?: string | RegExp; method?: string }): void;
  close(): Promise<void>;
}

/** A key jose can sign with. */
export type SigningKey = Parameters<SignJWT['sign']>[0];

interface IssuedToken {
  scopes: string[];
  expiresAt: number;
}

interface Script {
  answer: ScriptedAnswer;
  times: number;
  path?: string | RegExp;
  method?: string;
}

interface Context {
  members: TestMember[];
  paging: 'normal' | 'repeat-self' | 'endless';
}

/** A refusal with its HTTP status and a JSON body. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.error_description ?? body.error));
  }
}

/**
 * Starts a test LTI platform on 127.0.0.1 (a random port). Endpoints: `GET /jwks`,
 * `GET|POST /authorize`, `POST /token`, `GET|POST /contexts/{id}/lineitems`,
 * `GET /contexts/{id}/lineitems/{n}`, `POST /contexts/{id}/lineitems/{n}/scores`,
 * `GET /contexts/{id}/memberships`, `POST /deep-link-return`, and for LTI Dynamic Registration
 * `GET /.well-known/openid-configuration` and `POST /register`.
 */
export async function startTestPlatform(options: TestPlatformOptions): Promise<TestPlatform> {
  const clientId = options.clientId ?? 'tool-client-1';
  const deploymentId = options.deploymentId ?? 'deployment-1';
  const pageSize = options.pageSize ?? 10;
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
  let redirectUris = [...(options.redirectUris ?? [])];

  let signing = await newKey();
  let published: JWK[] = [signing.publicJwk];
  let stray: SigningKey | undefined;

  const launches = new Map<string, { launch: TestLaunch; ltiMessageHint: string }>();
  const issuedTokens = new Map<string, IssuedToken>();
  const usedJtis = new Set<string>();
  const issuedDeepLinkData = new Set<string>();
  const contexts = new Map<string, Context>();
  const scripts: Script[] = [];
  let outage: { reset: boolean; retryAfterSeconds?: number } | null = null;
  let lineItemSeq = 0;
  let lineItemFiltering = true;
  const toolJwks = new Map<string, JWTVerifyGetKey>();
  const registrationTokens = new Set<string>();
  let openidOverrides: Record<string, unknown> = {};

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`test platform failed: ${String(error)}`);
      } else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const platform: TestPlatform = {
    url,
    issuer: url,
    clientId,
    deploymentId,
    authorizeUrl: `${url}/authorize`,
    tokenUrl: `${url}/token`,
    jwksUrl: `${url}/jwks`,
    deepLinkReturnUrl: `${url}/deep-link-return`,
    openidConfigurationUrl: `${url}/.well-known/openid-configuration`,
    registrationUrl: `${url}/register`,
    publicJwk: signing.publicJwk,
    publicKeyPem: signing.publicKeyPem,
    requests: [],
    authorizeRequests: [],
    tokenRequests: [],
    lineItems: [],
    scores: [],
    deepLinkResponses: [],
    registrations: [],

    issueRegistrationToken() {
      const token = randomBytes(24).toString('base64url');
      registrationTokens.add(token);
      return token;
    },

    openidConfiguration() {
      const configuration: Record<string, unknown> = {
        issuer: url,
        authorization_endpoint: platform.authorizeUrl,
        token_endpoint: platform.tokenUrl,
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ['RS256'],
        jwks_uri: platform.jwksUrl,
        registration_endpoint: platform.registrationUrl,
        scopes_supported: ['openid', ...Object.values(SERVICE_SCOPES)],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public', 'pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['iss', 'aud', 'sub', 'iat', 'exp', 'nonce', 'name', 'given_name', 'family_name', 'email'],
        ...(options.tokenAudience === undefined ? {} : { authorization_server: options.tokenAudience }),
        [DYNAMIC_REGISTRATION_CLAIMS.platformConfiguration]: {
          product_family_code: 'test',
          version: '1.0',
          messages_supported: [
            { type: 'LtiResourceLinkRequest' },
            { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] },
          ],
        },
      };
      for (const [name, value] of Object.entries(openidOverrides)) {
        if (value === undefined) delete configuration[name];
        else configuration[name] = value;
      }
      return configuration;
    },

    setOpenidConfiguration(overrides) {
      openidOverrides = { ...overrides };
    },

    prepareLaunch(launch) {
      const loginHint = `login-${randomUUID()}`;
      const ltiMessageHint = `message-${randomUUID()}`;
      launches.set(loginHint, { launch, ltiMessageHint });
      return {
        loginHint,
        ltiMessageHint,
        loginParameters: {
          iss: url,
          login_hint: loginHint,
          target_link_uri: launch.targetLinkUri,
          lti_message_hint: ltiMessageHint,
          client_id: clientId,
          lti_deployment_id: deploymentId,
        },
      };
    },

    coursePageUrl(toolLoginUrl) {
      return `${url}/course?${new URLSearchParams({ tool: toolLoginUrl }).toString()}`;
    },

    async authenticate(authorizationUrl) {
      const target = new URL(authorizationUrl);
      if (`${target.origin}${target.pathname}` !== platform.authorizeUrl) {
        throw new Error(`${authorizationUrl} is not this platform's authorization endpoint`);
      }
      const response = await fetch(target, { redirect: 'manual' });
      const page = await response.text();
      if (response.status !== 200) return { status: response.status, action: '', fields: {} };
      return { status: response.status, ...parseAutoPostForm(page) };
    },

    launchClaims: (launch, nonce) => launchClaims(launch, nonce),

    async signIdToken(claims, signOptions = {}) {
      const kid = signOptions.kid === undefined ? signing.kid : signOptions.kid;
      const alg = signOptions.alg ?? 'RS256';
      return new SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'JWT', ...(kid === null ? {} : { kid }) })
        .sign(signOptions.key ?? signing.privateKey);
    },

    async strayKey() {
      stray ??= (await newKey()).privateKey;
      return stray;
    },

    async rotateKey(rotateOptions = {}) {
      signing = await newKey();
      published = rotateOptions.keepOld === false ? [signing.publicJwk] : [...published, signing.publicJwk];
      platform.publicJwk = signing.publicJwk;
      platform.publicKeyPem = signing.publicKeyPem;
    },

    setRedirectUris(...uris) {
      redirectUris = uris;
    },

    lineItemsUrl: (contextId) => `${url}/contexts/${encodeURIComponent(contextId)}/lineitems`,
    membershipsUrl: (contextId) => `${url}/contexts/${encodeURIComponent(contextId)}/memberships`,

    addLineItem(contextId, item) {
      const created: TestLineItem = { ...item, contextId, id: `${platform.lineItemsUrl(contextId)}/${++lineItemSeq}` };
      platform.lineItems.push(created);
      return created;
    },

    resultOf(lineItemId, userId) {
      const kept = platform.scores.filter(
        (score) => score.accepted && score.lineItemId === lineItemId && score.body.userId === userId,
      );
      return kept.at(-1)?.body;
    },

    setMembers(contextId, members, memberOptions = {}) {
      contexts.set(contextId, { members, paging: memberOptions.paging ?? 'normal' });
    },

    filterLineItems(on) {
      lineItemFiltering = on;
    },

    revokeTokens() {
      issuedTokens.clear();
    },

    down(on, downOptions = {}) {
      outage = on ? { reset: downOptions.reset ?? false, retryAfterSeconds: downOptions.retryAfterSeconds } : null;
    },

    answerNext(answer, scriptOptions = {}) {
      scripts.push({ answer, times: scriptOptions.times ?? 1, path: scriptOptions.path, method: scriptOptions.method });
    },

    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  function launchClaims(launch: TestLaunch, nonce: string): JWTPayload {
    const now = Math.floor(Date.now() / 1000);
    const messageType = launch.messageType ?? 'LtiResourceLinkRequest';
    const claims: Record<string, unknown> = {
      iss: url,
      aud: clientId,
      azp: clientId,
      sub: launch.user.sub,
      iat: now,
      exp: now + 300,
      nonce,
      ...(launch.user.name === undefined ? {} : { name: launch.user.name }),
      ...(launch.user.email === undefined ? {} : { email: launch.user.email }),
      ...(launch.user.givenName === undefined ? {} : { given_name: launch.user.givenName }),
      ...(launch.user.familyName === undefined ? {} : { family_name: launch.user.familyName }),
      [LTI_CLAIMS.messageType]: messageType,
      [LTI_CLAIMS.version]: '1.3.0',
      [LTI_CLAIMS.deploymentId]: deploymentId,
      [LTI_CLAIMS.targetLinkUri]: launch.targetLinkUri,
      [LTI_CLAIMS.roles]: launch.roles,
      [LTI_CLAIMS.toolPlatform]: { guid: `test-platform-${port}`, name: 'Test platform', product_family_code: 'test' },
      [LTI_CLAIMS.launchPresentation]: { document_target: 'iframe', locale: 'en' },
    };
    if (messageType === 'LtiResourceLinkRequest' && launch.resourceLink) {
      claims[LTI_CLAIMS.resourceLink] = launch.resourceLink;
    }
    if (launch.context) {
      claims[LTI_CLAIMS.context] = {
        ...launch.context,
        type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'],
      };
    }
    if (launch.custom) claims[LTI_CLAIMS.custom] = launch.custom;
    if (launch.ags && launch.context) {
      const lineItem = platform.lineItems.find(
        (item) => item.contextId === launch.context?.id && item.resourceLinkId === launch.resourceLink?.id,
      );
      claims[LTI_CLAIMS.ags] = {
        scope: [
          SERVICE_SCOPES.lineItem,
          SERVICE_SCOPES.lineItemReadOnly,
          SERVICE_SCOPES.resultReadOnly,
          SERVICE_SCOPES.score,
        ],
        lineitems: platform.lineItemsUrl(launch.context.id),
        ...(lineItem ? { lineitem: lineItem.id } : {}),
      };
    }
    if (launch.nrps && launch.context) {
      claims[LTI_CLAIMS.nrps] = {
        context_memberships_url: platform.membershipsUrl(launch.context.id),
        service_versions: ['2.0'],
      };
    }
    if (messageType === 'LtiDeepLinkingRequest') {
      const settings = launch.deepLinking ?? {};
      if (settings.data !== undefined) issuedDeepLinkData.add(settings.data);
      claims[LTI_CLAIMS.deepLinkingSettings] = {
        deep_link_return_url: settings.returnUrl ?? platform.deepLinkReturnUrl,
        accept_types: settings.acceptTypes ?? ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window'],
        accept_multiple: settings.acceptMultiple ?? true,
        accept_lineitem: settings.acceptLineItem ?? true,
        auto_create: true,
        ...(settings.data === undefined ? {} : { data: settings.data }),
      };
    }
    for (const [name, value] of Object.entries(launch.claims ?? {})) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    return claims;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const target = new URL(request.url ?? '/', url);
    const method = request.method ?? 'GET';
    platform.requests.push({ method, path: `${target.pathname}${target.search}`, headers: request.headers, body });

    if (outage) {
      if (outage.reset) return void request.socket.destroy();
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (outage.retryAfterSeconds !== undefined) headers['retry-after'] = String(outage.retryAfterSeconds);
      return void response.writeHead(503, headers).end('down for maintenance');
    }
    const script = scripts.find(
      (candidate) =>
        (candidate.method === undefined || candidate.method === method) &&
        (candidate.path === undefined ||
          (typeof candidate.path === 'string'
            ? target.pathname === candidate.path
            : candidate.path.test(target.pathname))),
    );
    if (script) {
      if (--script.times <= 0) scripts.splice(scripts.indexOf(script), 1);
      const answer = script.answer;
      if ('reset' in answer) return void request.socket.destroy();
      if ('status' in answer) {
        return void response.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
      }
      await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (request.socket.destroyed) return;
    }

    try {
      const path = target.pathname;
      if (path === '/jwks' && method === 'GET') return json(response, 200, { keys: published });
      if (path === '/.well-known/openid-configuration' && method === 'GET') {
        return json(response, 200, platform.openidConfiguration());
      }
      if (path === '/register' && method === 'POST') return register(request, body, response);
      if (path === '/course' && method === 'GET') {
        return void response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(coursePage(target.searchParams.get('tool') ?? 'about:blank'));
      }
      if (path === '/authorize' && (method === 'GET' || method === 'POST')) {
        const parameters = method === 'GET' ? target.searchParams : new URLSearchParams(body);
        return await authorize(Object.fromEntries(parameters), response);
      }
      if (path === '/token' && method === 'POST') return await token(request, body, response);
      if (path === '/deep-link-return' && method === 'POST') return await deepLinkReturn(body, response);
      const service = /^\/contexts\/([^/]+)\/(lineitems|memberships)(?:\/(\d+)(\/scores)?)?$/.exec(path);
      if (service) {
        const contextId = decodeURIComponent(service[1]);
        if (service[2] === 'memberships' && !service[3] && method === 'GET') {
          return memberships(request, target, contextId, response);
        }
        if (service[2] === 'lineitems' && !service[3] && method === 'GET') {
          return lineItemContainer(request, target, contextId, response);
        }
        if (service[2] === 'lineitems' && !service[3] && method === 'POST') {
          return createLineItem(request, body, contextId, response);
        }
        if (service[2] === 'lineitems' && service[3] && !service[4] && method === 'GET') {
          requireScope(request, [SERVICE_SCOPES.lineItem, SERVICE_SCOPES.lineItemReadOnly]);
          const item = findLineItem(contextId, service[3]);
          return json(response, 200, toWire(item), MEDIA.lineItem);
        }
        if (service[2] === 'lineitems' && service[3] && service[4] && method === 'POST') {
          return postScore(request, body, findLineItem(contextId, service[3]), response);
        }
      }
      throw new Refusal(404, { error: 'not_found', error_description: `no ${method} ${path}` });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      json(response, error.status, error.body, 'application/json', error.headers);
    }
  }

  /**
   * LTI Dynamic Registration 1.0 §3.5–3.6 (OpenID Connect Dynamic Client Registration): the tool's
   * configuration, posted as JSON with the one-time registration token as bearer. A registration accepted
   * answers the client id and this platform's deployment id, and its redirect URIs become the registered ones.
   */
  function register(request: IncomingMessage, body: string, response: ServerResponse): void {
    const record: ReceivedRegistration = { headers: request.headers, body: {}, status: 0, accepted: false };
    platform.registrations.push(record);
    const refuse = (status: number, error: string, why: string) => {
      record.status = status;
      record.error = why;
      return new Refusal(status, { error, error_description: why });
    };
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !registrationTokens.delete(token)) {
      throw refuse(401, 'invalid_token', 'the registration token is missing, unknown or used');
    }
    if (mediaType(request.headers['content-type']) !== 'application/json') {
      throw refuse(400, 'invalid_client_metadata', 'the body must be application/json');
    }
    let tool: Record<string, unknown>;
    try {
      tool = parseObject(body);
    } catch {
      throw refuse(400, 'invalid_client_metadata', 'the body must be a JSON object');
    }
    record.body = tool;
    const isUrl = (value: unknown) => typeof value === 'string' && URL.canParse(value);
    const list = (value: unknown) => (Array.isArray(value) ? (value as unknown[]) : []);
    const lti = (tool[DYNAMIC_REGISTRATION_CLAIMS.toolConfiguration] ?? {}) as Record<string, unknown>;
    const checks: [boolean, string][] = [
      [tool.application_type === 'web', 'application_type must be web'],
      [list(tool.response_types).includes('id_token'), 'response_types must include id_token'],
      [
        list(tool.grant_types).includes('implicit') && list(tool.grant_types).includes('client_credentials'),
        'grant_types must include implicit and client_credentials',
      ],
      [isUrl(tool.initiate_login_uri), 'initiate_login_uri must be a URL'],
      [list(tool.redirect_uris).length > 0 && list(tool.redirect_uris).every(isUrl), 'redirect_uris must be URLs'],
      [isUrl(tool.jwks_uri), 'jwks_uri must be a URL'],
      [tool.token_endpoint_auth_method === 'private_key_jwt', 'token_endpoint_auth_method must be private_key_jwt'],
      [typeof tool.client_name === 'string' && tool.client_name !== '', 'client_name is required'],
      [typeof tool.scope === 'string', 'scope must be a string of scopes'],
      [typeof lti.domain === 'string' && lti.domain !== '', 'the tool configuration needs a domain'],
      [isUrl(lti.target_link_uri), 'the tool configuration needs a target_link_uri'],
      [
        list(lti.messages).every((message) => typeof (message as { type?: unknown } | null)?.type === 'string'),
        'every message needs a type',
      ],
    ];
    const failed = checks.find(([passed]) => !passed);
    if (failed) throw refuse(400, 'invalid_client_metadata', failed[1]);
    redirectUris = list(tool.redirect_uris) as string[];
    record.status = 200;
    record.accepted = true;
    json(response, 200, {
      ...tool,
      client_id: clientId,
      [DYNAMIC_REGISTRATION_CLAIMS.toolConfiguration]: { ...lti, deployment_id: deploymentId },
    });
  }

  /** LTI 1.3 Core, OIDC login: the authentication request the tool redirects the browser to. */
  async function authorize(parameters: Record<string, string>, response: ServerResponse): Promise<void> {
    const record: AuthorizeRequest = { parameters };
    platform.authorizeRequests.push(record);
    // OpenID Connect Core §3.1.2.6: with a wrong client or redirect URI, say so here and send nothing back.
    if (parameters.client_id !== clientId) {
      record.error = `unauthorized_client: client_id ${parameters.client_id} is not ${clientId}`;
      return void response.writeHead(400, { 'content-type': 'text/plain' }).end(record.error);
    }
    if (!redirectUris.includes(parameters.redirect_uri)) {
      record.error = `invalid_request: redirect_uri ${parameters.redirect_uri} is not registered`;
      return void response.writeHead(400, { 'content-type': 'text/plain' }).end(record.error);
    }
    const prepared = launches.get(parameters.login_hint);
    const problem =
      parameters.scope?.split(' ').includes('openid') !== true
        ? 'invalid_scope: scope must be openid'
        : parameters.response_type !== 'id_token'
          ? 'unsupported_response_type: response_type must be id_token'
          : parameters.response_mode !== 'form_post'
            ? 'invalid_request: response_mode must be form_post'
            : parameters.prompt !== 'none'
              ? 'invalid_request: prompt must be none'
              : !parameters.state
                ? 'invalid_request: state is missing'
                : !parameters.nonce
                  ? 'invalid_request: nonce is missing'
                  : !prepared
                    ? 'login_required: login_hint names no prepared launch'
                    : prepared.ltiMessageHint !== parameters.lti_message_hint
                      ? 'invalid_request: lti_message_hint does not match the login_hint'
                      : null;
    const fields: Record<string, string> = {};
    if (problem || !prepared) {
      record.error = problem ?? 'login_required';
      const [code, ...description] = record.error.split(': ');
      fields.error = code;
      fields.error_description = description.join(': ');
    } else {
      const claims = launchClaims(prepared.launch, parameters.nonce);
      record.claims = claims;
      record.idToken = await platform.signIdToken(claims);
      fields.id_token = record.idToken;
    }
    if (parameters.state) fields.state = parameters.state;
    response
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(autoPostForm(parameters.redirect_uri, fields));
  }

  /** Security Framework 1.0: client credentials with a JWT client assertion (RFC 7523 §2.2 and §3). */
  async function token(request: IncomingMessage, body: string, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(body);
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const record: TokenRequest = { scopes, accepted: false };
    platform.tokenRequests.push(record);
    const refuse = (error: string, description: string) => {
      record.error = `${error}: ${description}`;
      throw new Refusal(400, { error, error_description: description });
    };
    if (!mediaType(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      refuse('invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    if (form.get('grant_type') !== 'client_credentials')
      refuse('unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) {
      refuse('invalid_client', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
    }
    const assertion = form.get('client_assertion') ?? '';
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(assertion, toolKeys(), {
        issuer: clientId,
        subject: clientId,
        audience: options.tokenAudience ?? platform.tokenUrl,
        requiredClaims: ['exp', 'iat', 'jti'],
      }));
    } catch (error) {
      record.error = `invalid_client: ${(error as Error).message}`;
      throw new Refusal(400, { error: 'invalid_client', error_description: (error as Error).message });
    }
    record.assertion = claims;
    // RFC 7523 §3: the server may keep used `jti` values to refuse a replayed assertion.
    if (usedJtis.has(String(claims.jti))) refuse('invalid_client', `jti ${String(claims.jti)} was used before`);
    usedJtis.add(String(claims.jti));
    const known = new Set<string>(Object.values(SERVICE_SCOPES));
    const unknown = scopes.filter((scope) => !known.has(scope));
    if (scopes.length === 0 || unknown.length > 0)
      refuse('invalid_scope', `unknown scope ${unknown.join(' ') || '(none)'}`);
    const accessToken = randomBytes(24).toString('base64url');
    issuedTokens.set(accessToken, { scopes, expiresAt: Date.now() + tokenLifetimeSeconds * 1000 });
    record.accepted = true;
    json(response, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: tokenLifetimeSeconds,
      scope: scopes.join(' '),
    });
  }

  function toolKeys(): JWTVerifyGetKey {
    const jwksUrl = typeof options.toolJwksUrl === 'function' ? options.toolJwksUrl() : options.toolJwksUrl;
    let keys = toolJwks.get(jwksUrl);
    if (!keys) {
      // No cooldown: a test that rotates the tool's key sees the new one on its next request.
      keys = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 0, timeoutDuration: 2_000 });
      toolJwks.set(jwksUrl, keys);
    }
    return keys;
  }

  /** RFC 6750 §3.1: a missing or unknown token is 401 invalid_token, a token without the scope 403 insufficient_scope. */
  function requireScope(request: IncomingMessage, anyOf: string[]): void {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const issued = match ? issuedTokens.get(match[1]) : undefined;
    if (!issued || issued.expiresAt <= Date.now()) {
      throw new Refusal(
        401,
        { error: 'invalid_token', error_description: match ? 'unknown or expired token' : 'no bearer token' },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      );
    }
    if (!anyOf.some((scope) => issued.scopes.includes(scope))) {
      throw new Refusal(
        403,
        { error: 'insufficient_scope', error_description: `needs one of ${anyOf.join(' ')}` },
        { 'www-authenticate': `Bearer error="insufficient_scope", scope="${anyOf.join(' ')}"` },
      );
    }
  }

  function requireAccept(request: IncomingMessage, type: string): void {
    const accept = request.headers.accept;
    if (!accept) return;
    const types = accept.split(',').map((part) => mediaType(part));
    if (!types.some((candidate) => candidate === type || candidate === '*/*' || candidate === 'application/json')) {
      throw new Refusal(406, { error: 'not_acceptable', error_description: `answers ${type}` });
    }
  }

  function requireContentType(request: IncomingMessage, type: string): void {
    if (mediaType(request.headers['content-type']) !== type) {
      throw new Refusal(415, { error: 'unsupported_media_type', error_description: `the body must be ${type}` });
    }
  }

  /** Paging by `limit` and `offset`, with `Link: <…>; rel="next"` while there is more (AGS 2.0 and NRPS 2.0). */
  function page<T>(items: T[], target: URL, paging: Context['paging'] = 'normal'): { items: T[]; link?: string } {
    const limitParameter = Number(target.searchParams.get('limit'));
    const limit = Number.isInteger(limitParameter) && limitParameter > 0 ? Math.min(limitParameter, 100) : pageSize;
    const offset = Math.max(0, Number(target.searchParams.get('offset')) || 0);
    const slice = items.slice(offset, offset + limit);
    const more = paging === 'endless' || offset + limit < items.length;
    if (paging === 'repeat-self')
      return { items: slice, link: `<${url}${target.pathname}${target.search}>; rel="next"` };
    if (!more) return { items: slice };
    const next = new URL(target.toString());
    next.searchParams.set('offset', String(offset + limit));
    next.searchParams.set('limit', String(limit));
    return { items: slice, link: `<${url}${next.pathname}${next.search}>; rel="next"` };
  }

  function lineItemContainer(request: IncomingMessage, target: URL, contextId: string, response: ServerResponse): void {
    requireScope(request, [SERVICE_SCOPES.lineItem, SERVICE_SCOPES.lineItemReadOnly]);
    requireAccept(request, MEDIA.lineItemContainer);
    const filter = lineItemFiltering
      ? {
          resourceLinkId: target.searchParams.get('resource_link_id'),
          resourceId: target.searchParams.get('resource_id'),
          tag: target.searchParams.get('tag'),
        }
      : { resourceLinkId: null, resourceId: null, tag: null };
    const items = platform.lineItems.filter(
      (item) =>
        item.contextId === contextId &&
        (filter.resourceLinkId === null || item.resourceLinkId === filter.resourceLinkId) &&
        (filter.resourceId === null || item.resourceId === filter.resourceId) &&
        (filter.tag === null || item.tag === filter.tag),
    );
    const { items: slice, link } = page(items, target);
    json(response, 200, slice.map(toWire), MEDIA.lineItemContainer, link ? { link } : {});
  }

  function createLineItem(request: IncomingMessage, body: string, contextId: string, response: ServerResponse): void {
    requireScope(request, [SERVICE_SCOPES.lineItem]);
    requireContentType(request, MEDIA.lineItem);
    const item = parseObject(body);
    const invalid = (why: string) => new Refusal(400, { error: 'invalid_request', error_description: why });
    if (typeof item.label !== 'string' || item.label.trim() === '') throw invalid('label is required');
    if (typeof item.scoreMaximum !== 'number' || !(item.scoreMaximum > 0))
      throw invalid('scoreMaximum must be a number above 0');
    for (const field of ['resourceId', 'resourceLinkId', 'tag', 'startDateTime', 'endDateTime'] as const) {
      if (item[field] !== undefined && typeof item[field] !== 'string') throw invalid(`${field} must be a string`);
    }
    const created = platform.addLineItem(contextId, {
      label: item.label,
      scoreMaximum: item.scoreMaximum,
      ...pickStrings(item, ['resourceId', 'resourceLinkId', 'tag', 'startDateTime', 'endDateTime']),
    });
    json(response, 201, toWire(created), MEDIA.lineItem);
  }

  function findLineItem(contextId: string, seq: string): TestLineItem {
    const id = `${platform.lineItemsUrl(contextId)}/${seq}`;
    const item = platform.lineItems.find((candidate) => candidate.id === id);
    if (!item) throw new Refusal(404, { error: 'not_found', error_description: `no line item ${id}` });
    return item;
  }

  /** AGS 2.0 Score publish service: validates the score and keeps it unless an equal or later timestamp is on record. */
  function postScore(request: IncomingMessage, body: string, item: TestLineItem, response: ServerResponse): void {
    requireScope(request, [SERVICE_SCOPES.score]);
    const contentType = mediaType(request.headers['content-type']);
    const score = contentType === MEDIA.score ? parseObject(body) : {};
    const received: ReceivedScore = { lineItemId: item.id, contentType, body: score, status: 0, accepted: false };
    platform.scores.push(received);
    const refuse = (status: number, why: string) => {
      received.status = status;
      received.reason = why;
      return new Refusal(status, {
        error: status === 415 ? 'unsupported_media_type' : 'invalid_request',
        error_description: why,
      });
    };
    if (contentType !== MEDIA.score) throw refuse(415, `the body must be ${MEDIA.score}`);
    if (typeof score.userId !== 'string' || score.userId === '') throw refuse(400, 'userId is required');
    if (!ACTIVITY_PROGRESS.has(score.activityProgress as string))
      throw refuse(400, 'activityProgress is not one of the spec');
    if (!GRADING_PROGRESS.has(score.gradingProgress as string))
      throw refuse(400, 'gradingProgress is not one of the spec');
    const timestamp = timestampKey(score.timestamp);
    if (!timestamp) throw refuse(400, 'timestamp must be an ISO 8601 date-time with a time zone');
    if (score.scoreGiven !== undefined && score.scoreGiven !== null) {
      if (typeof score.scoreGiven !== 'number' || !(score.scoreGiven >= 0))
        throw refuse(400, 'scoreGiven must be a number ≥ 0');
      if (typeof score.scoreMaximum !== 'number' || !(score.scoreMaximum > 0)) {
        throw refuse(400, 'scoreMaximum must be a number above 0 when scoreGiven is present');
      }
    }
    if (score.comment !== undefined && score.comment !== null && typeof score.comment !== 'string') {
      throw refuse(400, 'comment must be a string');
    }
    // AGS 2.0: the platform must not update a result whose timestamp on record is later; a tool must
    // not send the same timestamp twice. This platform answers 409 to both and keeps the score as refused.
    const last = platform.resultOf(item.id, score.userId);
    const lastKey = last ? timestampKey(last.timestamp) : null;
    if (lastKey && compareTimestamps(timestamp, lastKey) <= 0) {
      throw refuse(409, `timestamp ${String(score.timestamp)} is not after ${String(last?.timestamp)}`);
    }
    received.status = 204;
    received.accepted = true;
    response.writeHead(204).end();
  }

  function memberships(request: IncomingMessage, target: URL, contextId: string, response: ServerResponse): void {
    requireScope(request, [SERVICE_SCOPES.contextMembershipReadOnly]);
    requireAccept(request, MEDIA.membershipContainer);
    const context = contexts.get(contextId) ?? { members: [], paging: 'normal' as const };
    const role = target.searchParams.get('role');
    const members = role ? context.members.filter((member) => member.roles.includes(role)) : context.members;
    const { items, link } = page(members, target, context.paging);
    json(
      response,
      200,
      { id: `${url}${target.pathname}${target.search}`, context: { id: contextId }, members: items },
      MEDIA.membershipContainer,
      link ? { link } : {},
    );
  }

  /** Deep Linking 2.0: the tool's LtiDeepLinkingResponse, auto-posted in the `JWT` form field. */
  async function deepLinkReturn(body: string, response: ServerResponse): Promise<void> {
    const record: DeepLinkResponse = { accepted: false, contentItems: [] };
    platform.deepLinkResponses.push(record);
    const refuse = (why: string) => {
      record.error = why;
      return new Refusal(400, { error: 'invalid_request', error_description: why });
    };
    const jwt = new URLSearchParams(body).get('JWT');
    if (!jwt) throw refuse('the JWT form field is missing');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(jwt, toolKeys(), {
        issuer: clientId,
        audience: url,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      throw refuse(`the JWT does not verify: ${(error as Error).message}`);
    }
    record.claims = claims;
    if (claims[LTI_CLAIMS.messageType] !== 'LtiDeepLinkingResponse')
      throw refuse('message_type must be LtiDeepLinkingResponse');
    if (claims[LTI_CLAIMS.version] !== '1.3.0') throw refuse('version must be 1.3.0');
    if (claims[LTI_CLAIMS.deploymentId] !== deploymentId) throw refuse(`deployment_id must be ${deploymentId}`);
    if (claims.nonce !== undefined && typeof claims.nonce !== 'string') throw refuse('nonce must be a string');
    const data = claims[LTI_CLAIMS.deepLinkingData];
    if (data !== undefined && (typeof data !== 'string' || !issuedDeepLinkData.has(data))) {
      throw refuse('data is not what a deep linking request carried');
    }
    const items = claims[LTI_CLAIMS.deepLinkingContentItems] ?? [];
    if (!Array.isArray(items)) throw refuse('content_items must be an array');
    for (const item of items as unknown[]) {
      const contentItem = item as Record<string, unknown> | null;
      if (typeof contentItem?.type !== 'string') throw refuse('every content item needs a type');
      const lineItem = contentItem.lineItem as Record<string, unknown> | undefined;
      if (lineItem !== undefined && (typeof lineItem.scoreMaximum !== 'number' || !(lineItem.scoreMaximum > 0))) {
        throw refuse('a lineItem needs a scoreMaximum above 0');
      }
    }
    record.contentItems = items as Record<string, unknown>[];
    record.accepted = true;
    response
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><title>Added</title><p>${items.length} item(s) added.</p>`);
  }

  return platform;
}

/** A new RS256 key pair with a kid, its public JWK as a JWKS publishes it. */
async function newKey(): Promise<{ kid: string; privateKey: SigningKey; publicJwk: JWK; publicKeyPem: string }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `platform-${randomUUID()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk, publicKeyPem: await exportSPKI(publicKey) };
}

/** An unsigned JWT (`alg: none`, empty signature), as a forger would send one. */
export function unsignedJwt(claims: JWTPayload, header: Record<string, unknown> = {}): string {
  return `${base64url({ alg: 'none', typ: 'JWT', ...header })}.${base64url(claims)}.`;
}

/** A JWT signed with HS256 and this secret: with a platform's `publicKeyPem`, the key-confusion attack. */
export function hmacJwt(claims: JWTPayload, secret: string | Uint8Array, header: Record<string, unknown> = {}): string {
  const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', ...header })}.${base64url(claims)}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** The action and fields of an auto-posting HTML form (the platform's, or the tool's deep linking return). */
export function parseAutoPostForm(html: string): { action: string; fields: Record<string, string> } {
  const form = /<form\b[^>]*\baction="([^"]*)"/i.exec(html);
  if (!form) throw new Error('no <form action="…"> in the page');
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0]);
    const value = /\bvalue="([^"]*)"/i.exec(input[0]);
    if (name) fields[unescapeHtml(name[1])] = unescapeHtml(value?.[1] ?? '');
  }
  return { action: unescapeHtml(form[1]), fields };
}

/** The platform's side of LTI client-side storage, as a page's script: see `coursePageUrl`. */
function coursePage(toolUrl: string): string {
  const storage = `
    const kept = new Map();
    window.ltiStorageLog = [];
    window.addEventListener('message', (event) => {
      const data = event.data;
      if (typeof data !== 'object' || data === null || typeof data.subject !== 'string') return;
      const answer = (fields) =>
        event.source.postMessage({ subject: data.subject + '.response', message_id: data.message_id, ...fields }, event.origin);
      window.ltiStorageLog.push([data.subject, event.origin, data.key ?? null]);
      const slot = event.origin + ' ' + data.key;
      if (data.subject === 'lti.capabilities') {
        answer({ supported_messages: [{ subject: 'lti.put_data' }, { subject: 'lti.get_data' }] });
      } else if (data.subject === 'lti.put_data') {
        kept.set(slot, data.value);
        answer({ key: data.key, value: data.value });
      } else if (data.subject === 'lti.get_data') {
        if (kept.has(slot)) answer({ key: data.key, value: kept.get(slot) });
        else answer({ key: data.key, error: { code: 'bad_request', message: 'no value for this key' } });
      } else {
        answer({ error: { code: 'unsupported_subject', message: data.subject } });
      }
    });`;
  return (
    `<!doctype html><html lang="en"><head><title>Course</title></head><body><h1>Test course</h1>` +
    `<script>${storage}</script>` +
    `<iframe name="tool" title="Assessment" width="1200" height="800" src="${escapeHtml(toolUrl)}"></iframe>` +
    `</body></html>`
  );
}

function autoPostForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return (
    `<!doctype html><html><head><title>Launching…</title></head><body>` +
    `<form method="post" action="${escapeHtml(action)}">${inputs}<noscript><button>Continue</button></noscript></form>` +
    `<script>document.forms[0].submit()</script></body></html>`
  );
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&#39;');
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function toWire(item: TestLineItem): Record<string, unknown> {
  const { contextId: _contextId, ...wire } = item;
  return wire;
}

function pickStrings<K extends string>(
  source: Record<string, unknown>,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const picked: Partial<Record<K, string>> = {};
  for (const key of keys) if (typeof source[key] === 'string') picked[key] = source[key];
  return picked;
}

function mediaType(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? '').split(';')[0].trim().toLowerCase();
}

function parseObject(body: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Refused below.
  }
  throw new Refusal(400, { error: 'invalid_request', error_description: 'the body must be a JSON object' });
}

/** An ISO 8601 date-time with a time zone as [whole epoch seconds, nanoseconds], so sub-millisecond digits count. */
function timestampKey(value: unknown): [number, number] | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!match) return null;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return null;
  return [seconds / 1000, Number((match[2] ?? '').padEnd(9, '0'))];
}

function compareTimestamps(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  response
    .writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers })
    .end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
