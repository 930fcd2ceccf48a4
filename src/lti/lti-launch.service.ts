import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, type JWTPayload, jwtVerify } from 'jose';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM_CALLER } from '../auth/access.types';
import { type OpenedSession, WebSessionService } from '../auth/web-session.service';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { EventsService } from '../events/events.service';
import { urlFormProblem } from '../events/webhook-url';
import { CLAIM, LTI_VERSION, MESSAGE_TYPES, type MessageType, memberRoleOf } from './lti-claims';
import { LtiRefusal } from './lti-refusal';
import { LtiRosterService } from './lti-roster.service';
import type { LtiPlatform } from './entities/lti-platform.entity';

/** A login's state and nonce serve this long: the platform answers at once, a person never types in between. */
const LOGIN_TTL_MINUTES = 10;
/** The picker of a deep linking request stays open this long. */
const DEEP_LINK_TTL_MINUTES = 60;
/** id_tokens issued longer ago than this are refused even when unexpired (replays of old tokens). */
const MAX_TOKEN_AGE_SECONDS = 600;
const CLOCK_TOLERANCE_SECONDS = 30;
const JWKS_TIMEOUT_MS = 5_000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** The key of a login's secret in the platform's client-side storage. */
const storageKey = (state: string) => `assessment-lti-login-${state}`;
/** Whether `value` hashes to `hash`, in constant time. */
const sameHash = (hash: string, value: string | null): boolean =>
  value !== null && timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(hashToken(value), 'hex'));
const randomToken = () => randomBytes(32).toString('base64url');

export interface LoginRequest {
  iss?: string;
  login_hint?: string;
  target_link_uri?: string;
  lti_message_hint?: string;
  client_id?: string;
  lti_deployment_id?: string;
  /** LTI Client Side postMessages: the frame holding the platform's storage (`_parent` for the parent window). */
  lti_storage_target?: string;
}

/**
 * Where the LTI client-side storage is and what goes in or comes out of it: the page that runs
 * web/static/lti-storage.js posts `lti.put_data` (at login) or `lti.get_data` (at launch) to `target`
 * in the window that opened or embeds the tool, with `origin` (the platform's authorization URL's) as
 * the only origin allowed to read or answer.
 */
export interface ClientStorage {
  target: string;
  origin: string;
  key: string;
}

/** The login's answer: the platform's authorization URL, and the storage step to take before going there. */
export interface LoginOutcome {
  location: string;
  storage: (ClientStorage & { value: string }) | null;
}

/** A launch whose login put a secret in the platform's storage: a page reads it back and posts the form again. */
export interface StorageCheck {
  storage: ClientStorage;
  fields: { id_token: string; state: string };
}

/** The field the storage check page posts the secret it read in (`unavailable` when it read nothing). */
export const STORAGE_BINDING_FIELD = 'lti_storage_binding';

export interface LaunchOutcome {
  session: OpenedSession;
  /** Where the browser goes next, on this origin. */
  location: string;
}

interface LoginRow {
  nonce: string;
  platform_id: string;
  deployment_id: string | null;
  target_link_uri: string;
  storage_binding_hash: string | null;
}

interface LaunchClaims {
  sub: string;
  messageType: MessageType;
  deploymentId: string;
  roles: string[];
  name: string | null;
  email: string | null;
  context: { id: string; title: string | null } | null;
  resourceLink: { id: string; title: string | null } | null;
  custom: Record<string, string>;
  lineItemsUrl: string | null;
  lineItemUrl: string | null;
  membershipsUrl: string | null;
  deepLinking: { returnUrl: string; data: string | null } | null;
}

const str = (value: unknown, max = 255): string | null =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : null;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** A claim holding an object, or null. */
const objectClaim = (payload: JWTPayload, name: string): Record<string, unknown> | null => {
  const value = payload[name];
  return isObject(value) ? value : null;
};

/**
 * LTI 1.3 launches, as the IMS Security Framework has them: the OIDC
 * third-party login (state and nonce kept here), then the id_token posted
 * back to /lti/launch, checked to the letter, and mapped onto this service's
 * records: the person to a user (by issuer and `sub`), the course to a
 * cohort, the resource link to a module. A launch ends in a page session,
 * the same as a sign-in.
 */
@Injectable()
export class LtiLaunchService {
  private readonly logger = new Logger('LtiLaunch');
  private readonly keySets = new Map<string, { url: string; keys: ReturnType<typeof createRemoteJWKSet> }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: WebSessionService,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly roster: LtiRosterService,
  ) {}

  /** The OIDC login initiation: the platform's authorization URL to send the browser to. */
  async login(request: LoginRequest, launchUrl: string): Promise<LoginOutcome> {
    const issuer = str(request.iss);
    const loginHint = str(request.login_hint, 2048);
    const target = str(request.target_link_uri, 2048);
    if (!issuer || !loginHint || !target) {
      throw new LtiRefusal(
        'The course system did not send what a launch needs. Try opening the activity again.',
        'login without iss, login_hint or target_link_uri',
      );
    }
    if (new URL(target, launchUrl).origin !== new URL(launchUrl).origin) {
      throw new LtiRefusal('This link points somewhere other than this tool.', `target_link_uri ${target} is foreign`);
    }
    const platform = await this.platformFor(issuer, str(request.client_id));
    const deploymentId = str(request.lti_deployment_id);
    if (deploymentId && !platform.deploymentIds.includes(deploymentId)) {
      throw new LtiRefusal(
        'This tool is not set up for this part of your course system. Ask your LMS administrator to register the deployment.',
        `unknown deployment ${deploymentId} for platform ${platform.id} at login`,
      );
    }
    const storageTarget = str(request.lti_storage_target);
    if (!storageTarget && platform.requiresClientStorage) {
      throw new LtiRefusal(
        'Your course system did not offer its sign-in storage, which this tool needs for it. Open the activity again from your course; if this persists, ask your LMS administrator.',
        `login without lti_storage_target for platform ${platform.id}, which requires client-side storage`,
      );
    }
    const state = randomToken();
    const nonce = randomToken();
    const binding = storageTarget ? randomToken() : null;
    await this.dataSource.query(
      `INSERT INTO lti_logins
         (state_hash, nonce, platform_id, deployment_id, target_link_uri, storage_target, storage_binding_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(mins => $8))`,
      [
        hashToken(state),
        nonce,
        platform.id,
        deploymentId,
        target,
        storageTarget,
        binding && hashToken(binding),
        LOGIN_TTL_MINUTES,
      ],
    );
    const url = new URL(platform.authorizationUrl);
    const parameters: Record<string, string> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      redirect_uri: launchUrl,
      login_hint: loginHint,
      state,
      nonce,
    };
    const messageHint = str(request.lti_message_hint, 4096);
    if (messageHint) parameters.lti_message_hint = messageHint;
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    const storage =
      storageTarget && binding
        ? { target: storageTarget, origin: url.origin, key: storageKey(state), value: binding }
        : null;
    return { location: url.toString(), storage };
  }

  /**
   * The authentication response posted back by the platform: checks it, maps it, opens a session. When the
   * login put a secret in the platform's client-side storage and the form does not carry it yet, the answer
   * is the storage check (a page that reads the secret in this browser and posts the form again); the
   * login is not used up by that.
   */
  async launch(form: {
    id_token?: unknown;
    state?: unknown;
    [STORAGE_BINDING_FIELD]?: unknown;
  }): Promise<LaunchOutcome | StorageCheck> {
    const state = str(form.state, 512);
    const idToken = str(form.id_token, 16_384);
    if (!state || !idToken) {
      throw new LtiRefusal(
        'The course system did not send a complete launch. Try opening the activity again.',
        'launch without state or id_token',
      );
    }
    const binding = str(form[STORAGE_BINDING_FIELD], 64);
    if (!binding) {
      const [bound] = await this.dataSource.query<{ storage_target: string; authorization_url: string }[]>(
        `SELECT l.storage_target, p.authorization_url FROM lti_logins l JOIN lti_platforms p ON p.id = l.platform_id
          WHERE l.state_hash = $1 AND l.expires_at > now() AND l.storage_binding_hash IS NOT NULL`,
        [hashToken(state)],
      );
      if (bound) {
        const origin = new URL(bound.authorization_url).origin;
        return {
          storage: { target: bound.storage_target, origin, key: storageKey(state) },
          fields: { id_token: idToken, state },
        };
      }
    }
    // Taken once: the same state (and with it the nonce) cannot serve a second launch.
    const [login] = await this.dataSource.query<LoginRow[]>(
      `WITH taken AS (DELETE FROM lti_logins WHERE state_hash = $1 AND expires_at > now()
                      RETURNING nonce, platform_id, deployment_id, target_link_uri, storage_binding_hash)
       SELECT * FROM taken`,
      [hashToken(state)],
    );
    if (!login) {
      throw new LtiRefusal(
        'This launch has expired or was already used. Open the activity again from your course.',
        'state unknown, expired or used',
      );
    }
    if (login.storage_binding_hash && !sameHash(login.storage_binding_hash, binding)) {
      throw new LtiRefusal(
        'This launch could not be confirmed in this browser: your course system’s sign-in storage did not hold what the tool put there. Open the activity again from your course.',
        binding === null || binding === 'unavailable'
          ? 'client-side storage held no login secret for this state'
          : 'client-side storage secret differs from the login’s',
      );
    }
    const platform = await this.dataSource
      .getRepository<LtiPlatform>('LtiPlatform')
      .findOneByOrFail({ id: login.platform_id });
    const payload = await this.verify(platform, idToken);
    if (payload.nonce !== login.nonce) {
      throw new LtiRefusal(
        'This launch could not be checked. Open the activity again from your course.',
        'nonce mismatch',
      );
    }
    const claims = this.readClaims(platform, payload);
    if (login.deployment_id && login.deployment_id !== claims.deploymentId) {
      throw new LtiRefusal('This launch could not be checked.', 'deployment_id differs from the login’s');
    }
    const location = await this.dataSource.transaction((manager) => this.apply(manager, platform, claims));
    // NRPS: an instructor's launch brings the course's roster in, after the commit and without waiting for it.
    if (claims.context && memberRoleOf(claims.roles) === 'instructor') {
      this.roster.syncAfterLaunch(platform.id, claims.deploymentId, claims.context.id, location.userId);
    }
    if (login.storage_binding_hash && !platform.requiresClientStorage) {
      // The platform has shown it keeps client-side storage: from now on a login without it is refused.
      await this.dataSource.query(`UPDATE lti_platforms SET requires_client_storage = true WHERE id = $1`, [
        platform.id,
      ]);
      this.logger.log(`Platform ${platform.id} launched through client-side storage: now required for its logins`);
    }
    const session = await this.sessions.open(location.userId, 'lti', this.config.lti.sessionMinutes);
    return { session, location: location.path };
  }

  private async platformFor(issuer: string, clientId: string | null): Promise<LtiPlatform> {
    const platforms = await this.dataSource
      .getRepository<LtiPlatform>('LtiPlatform')
      .find({ where: clientId ? { issuer, clientId } : { issuer }, take: 2 });
    if (platforms.length === 0) {
      throw new LtiRefusal(
        'This course system is not registered with the tool. Ask your LMS administrator to register it.',
        `unknown platform ${issuer} ${clientId ?? ''}`.trim(),
      );
    }
    if (platforms.length > 1) {
      throw new LtiRefusal(
        'This course system is registered more than once; it must say which registration it uses (client_id).',
        `login from ${issuer} without client_id, and several registrations`,
      );
    }
    return platforms[0];
  }

  private keySet(platform: LtiPlatform) {
    let cached = this.keySets.get(platform.id);
    if (!cached || cached.url !== platform.jwksUrl) {
      // Cached by jose; refetched when a token names a kid it does not hold (at most every 30 s).
      cached = {
        url: platform.jwksUrl,
        keys: createRemoteJWKSet(new URL(platform.jwksUrl), { timeoutDuration: JWKS_TIMEOUT_MS }),
      };
      this.keySets.set(platform.id, cached);
    }
    return cached.keys;
  }

  private async verify(platform: LtiPlatform, idToken: string): Promise<JWTPayload> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(idToken);
    } catch {
      throw new LtiRefusal('This launch could not be checked.', 'id_token is not a JWS');
    }
    if (header.alg !== 'RS256') {
      throw new LtiRefusal('This launch could not be checked.', `id_token alg ${String(header.alg)} refused`);
    }
    try {
      const { payload } = await jwtVerify(idToken, this.keySet(platform), {
        algorithms: ['RS256'],
        issuer: platform.issuer,
        audience: platform.clientId,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        requiredClaims: ['exp', 'iat', 'nonce'],
      });
      return payload;
    } catch (error) {
      throw this.verificationRefusal(error, platform);
    }
  }

  private verificationRefusal(error: unknown, platform: LtiPlatform): LtiRefusal {
    if (error instanceof joseErrors.JWTExpired) {
      return new LtiRefusal('This launch has expired. Open the activity again from your course.', 'id_token expired');
    }
    if (error instanceof joseErrors.JWKSNoMatchingKey) {
      return new LtiRefusal(
        'This launch could not be checked.',
        `no key in ${platform.jwksUrl} matches the id_token's kid`,
      );
    }
    if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError)) {
      this.logger.warn(`Fetching the keys of platform ${platform.id} failed: ${String(error)}`);
      return new LtiRefusal(
        'The course system’s keys could not be fetched just now. Try again in a minute.',
        `JWKS of platform ${platform.id} unavailable`,
      );
    }
    const code = (error as { code?: string }).code ?? 'unknown';
    return new LtiRefusal('This launch could not be checked.', `id_token refused: ${code} ${(error as Error).message}`);
  }

  private readClaims(platform: LtiPlatform, payload: JWTPayload): LaunchClaims {
    const refuse = (reason: string, message = 'This launch is not one the tool understands.') =>
      new LtiRefusal(message, reason);
    // With several audiences, the platform must say which party the token is for (OIDC Core 3.1.3.7).
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== platform.clientId) {
      throw refuse('azp missing or not the client id');
    }
    const sub = str(payload.sub);
    if (!sub) throw refuse('no sub (anonymous launches are not served)', 'The tool needs to know who you are.');
    if (payload[CLAIM.version] !== LTI_VERSION) throw refuse(`LTI version ${String(payload[CLAIM.version])}`);
    const messageType = payload[CLAIM.messageType];
    if (!MESSAGE_TYPES.includes(messageType as MessageType)) {
      throw refuse(`message_type ${String(messageType)} not served`);
    }
    const deploymentId = str(payload[CLAIM.deploymentId]);
    if (!deploymentId || !platform.deploymentIds.includes(deploymentId)) {
      throw new LtiRefusal(
        'This tool is not set up for this part of your course system. Ask your LMS administrator to register the deployment.',
        `unknown deployment ${String(deploymentId)} for platform ${platform.id}`,
      );
    }
    const roles = payload[CLAIM.roles];
    if (!Array.isArray(roles) || roles.some((role) => typeof role !== 'string')) throw refuse('roles claim missing');
    const context = objectClaim(payload, CLAIM.context);
    const link = objectClaim(payload, CLAIM.resourceLink);
    if (messageType === 'LtiResourceLinkRequest' && !str(link?.id)) throw refuse('resource_link.id missing');
    const customClaim = payload[CLAIM.custom];
    const custom: Record<string, string> = {};
    if (isObject(customClaim)) {
      for (const [key, value] of Object.entries(customClaim)) if (typeof value === 'string') custom[key] = value;
    }
    const ags = objectClaim(payload, CLAIM.agsEndpoint);
    const nrps = objectClaim(payload, CLAIM.nrps);
    let deepLinking: LaunchClaims['deepLinking'] = null;
    if (messageType === 'LtiDeepLinkingRequest') {
      const settings = objectClaim(payload, CLAIM.deepLinkingSettings);
      const returnUrl = str(settings?.deep_link_return_url, 2048);
      if (!returnUrl || urlFormProblem(returnUrl, this.config.env === 'production')) {
        throw refuse('deep_link_return_url missing or not allowed');
      }
      const accepts = settings?.accept_types;
      if (Array.isArray(accepts) && !accepts.includes('ltiResourceLink')) {
        throw refuse(
          'deep linking does not accept ltiResourceLink',
          'The course system does not accept activity links here.',
        );
      }
      deepLinking = { returnUrl, data: str(settings?.data, 4096) };
    }
    const given = str(payload.given_name);
    const family = str(payload.family_name);
    return {
      sub,
      messageType: messageType as MessageType,
      deploymentId,
      roles: roles as string[],
      name: str(payload.name, 200) ?? ([given, family].filter(Boolean).join(' ') || null),
      email: str(payload.email, 320),
      context:
        context && str(context.id)
          ? { id: str(context.id)!, title: str(context.title, 200) ?? str(context.label, 200) }
          : null,
      resourceLink: link && str(link.id) ? { id: str(link.id)!, title: str(link.title) } : null,
      custom,
      lineItemsUrl: this.serviceUrl(ags?.lineitems),
      lineItemUrl: this.serviceUrl(ags?.lineitem),
      membershipsUrl: this.serviceUrl(nrps?.context_memberships_url),
      deepLinking,
    };
  }

  /** A service URL from a claim, when it follows the rules for URLs the service calls (else ignored). */
  private serviceUrl(value: unknown): string | null {
    const url = str(value, 2048);
    return url && !urlFormProblem(url, this.config.env === 'production') ? url : null;
  }

  /** The records a launch makes or updates, in one transaction; where the browser goes next. */
  private async apply(
    manager: EntityManager,
    platform: LtiPlatform,
    claims: LaunchClaims,
  ): Promise<{ userId: string; path: string }> {
    const role = memberRoleOf(claims.roles);
    const userId = await this.person(manager, platform, claims, role);
    const cohortId = claims.context ? await this.cohort(manager, platform, claims, userId, role) : null;

    if (claims.messageType === 'LtiDeepLinkingRequest') {
      if (role !== 'instructor') {
        throw new LtiRefusal(
          'Only instructors can add this tool’s activities to a course.',
          'deep linking by a learner',
          403,
        );
      }
      const token = randomToken();
      await manager.query(
        `INSERT INTO lti_deep_links (token_hash, platform_id, deployment_id, user_id, return_url, data, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(mins => $7))`,
        [
          hashToken(token),
          platform.id,
          claims.deploymentId,
          userId,
          claims.deepLinking!.returnUrl,
          claims.deepLinking!.data,
          DEEP_LINK_TTL_MINUTES,
        ],
      );
      return { userId, path: `/lti/deep-link/${token}` };
    }

    const slug = await this.resourceLink(manager, platform, claims, cohortId);
    if (role === 'instructor') return { userId, path: cohortId ? `/teach/cohorts/${cohortId}` : '/teach' };
    return { userId, path: `/learn/modules/${encodeURIComponent(slug)}` };
  }

  /** The user for (issuer, sub): made on the first launch; name, e-mail and roles kept in step after. */
  private async person(
    manager: EntityManager,
    platform: LtiPlatform,
    claims: LaunchClaims,
    role: 'instructor' | 'learner',
  ) {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `lti identity:${platform.id}:${claims.sub}`,
    ]);
    const [linked] = await manager.query<{ id: string; email: string; display_name: string; roles: string[] }[]>(
      `SELECT u.id, u.email, u.display_name, u.roles FROM lti_identities i JOIN users u ON u.id = i.user_id
        WHERE i.platform_id = $1 AND i.sub = $2 AND u.deleted_at IS NULL`,
      [platform.id, claims.sub],
    );
    const email = await this.freeEmail(manager, claims.email, linked?.id ?? null);
    if (linked) {
      const roles = linked.roles.includes(role) ? linked.roles : [...linked.roles, role];
      const name = claims.name ?? linked.display_name;
      const mail = claims.email && email === claims.email.toLowerCase() ? email : linked.email;
      if (roles !== linked.roles || name !== linked.display_name || mail !== linked.email) {
        await manager.query(
          `UPDATE users SET roles = $2, display_name = $3, email = $4, updated_at = now() WHERE id = $1`,
          [linked.id, roles, name, mail],
        );
      }
      return linked.id;
    }
    // The platform's id becomes the external id when no one here has it: events and xAPI then name the person
    // as the LMS does. The link itself is lti_identities, never the external id (another platform's sub could
    // be the same string).
    const [externalTaken] = await manager.query<unknown[]>(
      `SELECT 1 FROM users WHERE external_id = $1 AND deleted_at IS NULL`,
      [claims.sub],
    );
    const [created] = await manager.query<{ id: string }[]>(
      `INSERT INTO users (external_id, email, display_name, roles) VALUES ($1, $2, $3, $4) RETURNING id`,
      [externalTaken ? null : claims.sub, email, claims.name ?? 'Learner from the LMS', [role]],
    );
    await manager.query(
      `INSERT INTO lti_identities (platform_id, sub, user_id) VALUES ($1, $2, $3)
       ON CONFLICT (platform_id, sub) DO UPDATE SET user_id = EXCLUDED.user_id`,
      [platform.id, claims.sub, created.id],
    );
    await this.audit.record(manager, SYSTEM_CALLER, {
      action: 'user.created',
      targetType: 'user',
      targetId: created.id,
      after: { via: 'lti', platformId: platform.id, roles: [role] },
    });
    return created.id;
  }

  /**
   * The e-mail a launch may give a user: the platform's, when no one else here has it (never taken over from
   * an account that exists: that would let a platform sign in as anyone); else a made-up address under
   * `.invalid` that mails nowhere.
   */
  private async freeEmail(manager: EntityManager, email: string | null, userId: string | null): Promise<string> {
    const wanted = email?.toLowerCase();
    if (wanted && /^[^\s@]+@[^\s@]+$/.test(wanted)) {
      const [holder] = await manager.query<{ id: string }[]>(
        `SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL`,
        [wanted],
      );
      if (!holder || holder.id === userId) return wanted;
    }
    return `lti-${randomBytes(10).toString('hex')}@lti.invalid`;
  }

  /** The cohort of the launch's context: made on its first launch; the launching person's membership kept. */
  private async cohort(
    manager: EntityManager,
    platform: LtiPlatform,
    claims: LaunchClaims,
    userId: string,
    role: 'instructor' | 'learner',
  ): Promise<string> {
    const context = claims.context!;
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `lti context:${platform.id}:${claims.deploymentId}:${context.id}`,
    ]);
    const [found] = await manager.query<{ cohort_id: string }[]>(
      `WITH found AS (
         UPDATE lti_contexts SET memberships_url = coalesce($4, memberships_url),
                line_items_url = coalesce($5, line_items_url), updated_at = now()
          WHERE platform_id = $1 AND deployment_id = $2 AND context_id = $3
         RETURNING cohort_id)
       SELECT cohort_id FROM found`,
      [platform.id, claims.deploymentId, context.id, claims.membershipsUrl, claims.lineItemsUrl],
    );
    let cohortId = found?.cohort_id;
    if (!cohortId) {
      const [cohort] = await manager.query<{ id: string }[]>(`INSERT INTO cohorts (name) VALUES ($1) RETURNING id`, [
        context.title ?? `Course ${context.id} on ${platform.name}`,
      ]);
      cohortId = cohort.id;
      await manager.query(
        `INSERT INTO lti_contexts (platform_id, deployment_id, context_id, cohort_id, memberships_url, line_items_url)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [platform.id, claims.deploymentId, context.id, cohortId, claims.membershipsUrl, claims.lineItemsUrl],
      );
      await this.audit.record(manager, SYSTEM_CALLER, {
        action: 'cohort.created',
        targetType: 'cohort',
        targetId: cohortId,
        after: { via: 'lti', platformId: platform.id, contextId: context.id },
      });
    }
    // The cohort row before its memberships, as a roster sync takes them: this launch may later add a module to
    // the cohort, and holding a membership while waiting for the cohort would deadlock with a sync in flight.
    await manager.query('SELECT id FROM cohorts WHERE id = $1 FOR NO KEY UPDATE', [cohortId]);
    const [member] = await manager.query<{ changed: boolean }[]>(
      `INSERT INTO cohort_members (cohort_id, user_id, role, status) VALUES ($1, $2, $3, 'active')
       ON CONFLICT (cohort_id, user_id) DO UPDATE SET role = EXCLUDED.role, status = 'active', updated_at = now()
        WHERE cohort_members.role <> EXCLUDED.role OR cohort_members.status <> 'active'
       RETURNING true AS changed`,
      [cohortId, userId, role],
    );
    if (member && role === 'learner') {
      const [user] = await manager.query<{ external_id: string | null }[]>(
        `SELECT external_id FROM users WHERE id = $1`,
        [userId],
      );
      await this.events.emit(manager, {
        type: 'cohort.roster_changed',
        data: { cohortId, added: [{ id: userId, externalId: user.external_id }], removed: [] },
      });
    }
    return cohortId;
  }

  /** The module a resource link opens: the one it was first launched with, else its custom `module`. */
  private async resourceLink(
    manager: EntityManager,
    platform: LtiPlatform,
    claims: LaunchClaims,
    cohortId: string | null,
  ): Promise<string> {
    const link = claims.resourceLink!;
    const [known] = await manager.query<{ id: string; slug: string }[]>(
      `SELECT l.id, m.slug FROM lti_resource_links l JOIN modules m ON m.id = l.module_id
        WHERE l.platform_id = $1 AND l.deployment_id = $2 AND l.resource_link_id = $3`,
      [platform.id, claims.deploymentId, link.id],
    );
    if (known) {
      if (claims.lineItemUrl) {
        await manager.query(`UPDATE lti_resource_links SET line_item_url = $2, updated_at = now() WHERE id = $1`, [
          known.id,
          claims.lineItemUrl,
        ]);
      }
      return known.slug;
    }
    const wanted = claims.custom.module;
    if (!wanted) {
      throw new LtiRefusal(
        'This link does not say which module it opens. Ask your instructor to add it again through the tool’s picker.',
        `resource link ${link.id} without custom module`,
      );
    }
    const [module] = await manager.query<{ id: string; slug: string }[]>(
      `SELECT id, slug FROM modules WHERE slug = $1`,
      [wanted],
    );
    if (!module) {
      throw new LtiRefusal(
        'The module this link opens is no longer available. Ask your instructor to update the link.',
        `resource link ${link.id} names module ${wanted}, which does not exist`,
        404,
      );
    }
    if (!claims.context || !cohortId) {
      // Without a course there is no cohort to report to; the learner still gets the module.
      return module.slug;
    }
    const [context] = await manager.query<{ id: string }[]>(
      `SELECT id FROM lti_contexts WHERE platform_id = $1 AND deployment_id = $2 AND context_id = $3`,
      [platform.id, claims.deploymentId, claims.context.id],
    );
    await manager.query(
      `INSERT INTO lti_resource_links (platform_id, deployment_id, resource_link_id, context_id, module_id, title, line_item_url)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [platform.id, claims.deploymentId, link.id, context.id, module.id, link.title, claims.lineItemUrl],
    );
    // The cohort covers the modules its course links to.
    await manager.query(
      `UPDATE cohorts SET module_ids = array_append(module_ids, $2::uuid), updated_at = now()
        WHERE id = $1 AND NOT ($2::uuid = ANY (module_ids))`,
      [cohortId, module.id],
    );
    return module.slug;
  }
}
