import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Agent } from 'undici';
import { SYSTEM_CALLER } from '../auth/access.types';
import { ConflictError, ValidationFailed } from '../common/errors/domain-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { pinnedLookup, urlFormProblem, webhookUrlProblem } from '../events/webhook-url';
import {
  parsePlatformConfiguration,
  parseRegistrationAnswer,
  type PlatformConfiguration,
  platformName,
  toolRegistrationRequest,
  unusableConfiguration,
} from './dynamic-registration';
import { CreatePlatformDto, type PlatformDto, type ToolConfigurationDto } from './dto/platform.dto';
import { LtiPlatformsService } from './lti-platforms.service';
import { LtiRefusal } from './lti-refusal';
import { boundedOptions, callPlatform, type PlatformAnswer, PlatformCallError } from './platform-clients/platform-http';

/** An OpenID configuration or a registration answer is a few kilobytes; a larger one is refused. */
const MAX_ANSWER_BYTES = 256 * 1024;
const TIMEOUT_MS = 10_000;
/** RFC 6750 allows a narrower alphabet; this refuses spaces, control characters and header breaks. */
const REGISTRATION_TOKEN = /^[\x21-\x7e]{1,4096}$/;

/** What the registration page needs to say. */
export interface DynamicRegistrationQuery {
  openid_configuration?: unknown;
  registration_token?: unknown;
}

/**
 * LTI Dynamic Registration 1.0, the tool's side: an LMS administrator's browser opens
 * `/lti/register` with the platform's configuration URL and a one-time registration token; the
 * tool reads the configuration, registers itself at the platform's registration endpoint (the
 * token, the platform's own, is what authorizes it there) and stores the platform as an admin's
 * registration would be stored (LtiPlatformsService.create: URL rules, the cap, the audit).
 */
@Injectable()
export class DynamicRegistrationService implements OnModuleDestroy {
  private readonly production: boolean;
  private readonly http: ReturnType<typeof boundedOptions>;
  private readonly agent?: Agent;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly platforms: LtiPlatformsService,
  ) {
    this.production = config.env === 'production';
    // In production every connection goes to the addresses that were checked (no DNS rebinding), over https.
    this.agent = this.production ? new Agent({ connect: { lookup: pinnedLookup() } }) : undefined;
    this.http = boundedOptions({
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: MAX_ANSWER_BYTES,
      dispatcher: this.agent,
      allowUrl: (url) => urlFormProblem(url.toString(), this.production) === null,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent?.close();
  }

  async register(query: DynamicRegistrationQuery, tool: ToolConfigurationDto, requestId: string): Promise<PlatformDto> {
    const configurationUrl = query.openid_configuration;
    if (typeof configurationUrl !== 'string' || configurationUrl.length > 2048) {
      throw new LtiRefusal(
        'Open this address from your course system’s tool registration page: it adds what this page needs.',
        'openid_configuration missing or too long',
      );
    }
    // The token is optional (§3.3); an empty parameter is no token.
    const token = query.registration_token === '' ? undefined : query.registration_token;
    if (token !== undefined && (typeof token !== 'string' || !REGISTRATION_TOKEN.test(token))) {
      throw new LtiRefusal(
        'The registration link from your course system is damaged. Start the registration again.',
        'registration_token is not a printable token',
      );
    }
    await this.assertCallable(configurationUrl, 'openid_configuration');
    const fetched = await this.call(configurationUrl, { method: 'GET', headers: { accept: 'application/json' } });
    if (fetched.status !== 200) throw unusableConfiguration(`OpenID configuration answered ${fetched.status}`);
    const configuration = parsePlatformConfiguration(json(fetched, 'OpenID configuration'), configurationUrl);
    await this.assertEndpoints(configuration);

    const answer = await this.call(configuration.registrationEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(toolRegistrationRequest(tool, configuration)),
    });
    if (answer.status < 200 || answer.status >= 300) throw refusedByPlatform(answer);
    const registration = parseRegistrationAnswer(json(answer, 'registration answer'));
    if (registration.deploymentId === null) {
      throw new LtiRefusal(
        'The course system registered the tool without a deployment. Add the tool to your site there, then ' +
          'register it with this tool’s administrator by hand.',
        `registration answer of ${configuration.issuer} (client ${registration.clientId}) has no deployment_id`,
      );
    }
    return this.store(configuration, registration.clientId, registration.deploymentId, requestId);
  }

  /** Stored as an admin's registration is (its DTO's rules, then the service's), by the system. */
  private async store(
    configuration: PlatformConfiguration,
    clientId: string,
    deploymentId: string,
    requestId: string,
  ): Promise<PlatformDto> {
    const dto = plainToInstance(CreatePlatformDto, {
      name: platformName(configuration),
      issuer: configuration.issuer,
      clientId,
      deploymentIds: [deploymentId],
      authorizationUrl: configuration.authorizationEndpoint,
      tokenUrl: configuration.tokenEndpoint,
      jwksUrl: configuration.jwksUri,
      tokenAudience: configuration.authorizationServer,
    });
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      const faults = errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ');
      throw new LtiRefusal(
        'The course system’s answer is not one this tool can keep. Ask this tool’s administrator to register it by hand.',
        `platform ${configuration.issuer} not stored: ${faults}`,
      );
    }
    try {
      return await this.platforms.create({ ...SYSTEM_CALLER, requestId }, dto);
    } catch (error) {
      if (error instanceof ConflictError) {
        throw new LtiRefusal(
          'The tool is already registered with this course system under the same client id.',
          `platform ${configuration.issuer} client ${clientId} already registered`,
        );
      }
      if (error instanceof ValidationFailed) {
        throw new LtiRefusal(
          'This tool cannot register another course system. Ask its administrator.',
          `platform ${configuration.issuer} not stored: ${error.errors.flatMap((fault) => fault.messages).join('; ')}`,
        );
      }
      throw error;
    }
  }

  /** The endpoints the tool will use, under the rules LtiPlatformsService applies, before anything is registered. */
  private async assertEndpoints(configuration: PlatformConfiguration): Promise<void> {
    const formProblem = urlFormProblem(configuration.authorizationEndpoint, this.production);
    if (formProblem) throw unusableConfiguration(`authorization_endpoint ${formProblem}`);
    await this.assertCallable(configuration.tokenEndpoint, 'token_endpoint');
    await this.assertCallable(configuration.jwksUri, 'jwks_uri');
    await this.assertCallable(configuration.registrationEndpoint, 'registration_endpoint');
  }

  /** The webhook URL rules (https and public addresses in production, http to loopback elsewhere). */
  private async assertCallable(url: string, field: string): Promise<void> {
    const problem = await webhookUrlProblem(url, this.production);
    if (problem) throw unusableConfiguration(`${field} ${url} ${problem}`);
  }

  private async call(
    url: string,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  ): Promise<PlatformAnswer> {
    try {
      return await callPlatform(url, init, this.http);
    } catch (error) {
      if (!(error instanceof PlatformCallError)) throw error;
      throw new LtiRefusal(
        'The course system could not be reached to finish the registration. Try again in a minute.',
        `${init.method} ${url}: ${error.outcome.excerpt}`,
      );
    }
  }
}

function json(answer: PlatformAnswer, what: string): unknown {
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    throw unusableConfiguration(`${what} is not JSON`);
  }
}

/** RFC 7591 §3.2.2: a refused registration answers `error` and `error_description`. */
function refusedByPlatform(answer: PlatformAnswer): LtiRefusal {
  let said = '';
  try {
    const body = JSON.parse(answer.body) as Record<string, unknown> | null;
    const description = body?.error_description ?? body?.error;
    if (typeof description === 'string') said = description;
  } catch {
    // Not JSON: the status alone is said.
  }
  const words = said ? `: ${said.slice(0, 300)}` : '.';
  return new LtiRefusal(
    `The course system refused the registration${words}`,
    `registration endpoint answered ${answer.status}: ${answer.body.slice(0, 500)}`,
  );
}
