import type { ToolConfigurationDto } from './dto/platform.dto';
import { LtiRefusal } from './lti-refusal';

/*
 * LTI Dynamic Registration 1.0 (1EdTech), the tool's side as plain functions: what a platform's
 * OpenID configuration must hold, the registration request the tool posts, and what it reads back.
 */

export const PLATFORM_CONFIGURATION_CLAIM = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
export const TOOL_CONFIGURATION_CLAIM = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

/** What the tool asks for: AGS line items, scores and results, and NRPS rosters (granted only when supported). */
export const TOOL_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
] as const;

/** The id_token claims a launch reads (src/lti/lti-claims.ts): the person's name and email. */
const TOOL_CLAIMS = ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'];

/** Where an LMS offers a deep linking picker: the spec's ContentArea, and Canvas's selection placements. */
const DEEP_LINKING_PLACEMENTS = new Set([
  'ContentArea',
  'link_selection',
  'assignment_selection',
  'https://canvas.instructure.com/lti/link_selection',
  'https://canvas.instructure.com/lti/assignment_selection',
]);

export const TOOL_NAME = 'Assessment';

/** A platform's OpenID configuration, as far as the tool uses it (validated). */
export interface PlatformConfiguration {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  registrationEndpoint: string;
  /** OAuth 2 `authorization_server`: the `aud` of client assertions when the platform names one. */
  authorizationServer: string | null;
  scopesSupported: string[];
  productFamilyCode: string;
  /** Message types the platform can send, with the placements it names for each. */
  messagesSupported: { type: string; placements: string[] }[];
}

/** The part of an answer the tool keeps: its client id and the deployment the platform made. */
export interface RegistrationAnswer {
  clientId: string;
  deploymentId: string | null;
}

/** A refusal for a platform whose configuration or answer the tool cannot use; `reason` goes to the log. */
export const unusableConfiguration = (reason: string) =>
  new LtiRefusal(
    'The course system’s configuration is not one this tool can register with. Ask its administrator to check ' +
      'its LTI Advantage settings.',
    reason,
  );

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * Checks an OpenID configuration as LTI Dynamic Registration 1.0 §3.4–3.5 says: the issuer is a prefix of
 * the URL it was fetched from (OpenID Connect Discovery §4.3: the issuer is who answers at that address),
 * the endpoints are there, RS256 signs id_tokens, and the LTI platform claim names the product and its messages.
 */
export function parsePlatformConfiguration(raw: unknown, configurationUrl: string): PlatformConfiguration {
  if (!isObject(raw)) throw unusableConfiguration('the OpenID configuration is not a JSON object');
  const text = (field: string): string => {
    const value = raw[field];
    if (typeof value !== 'string' || value.trim() === '')
      throw unusableConfiguration(`the OpenID configuration has no ${field}`);
    return value;
  };
  const issuer = text('issuer');
  if (!issuedBy(configurationUrl, issuer)) {
    throw unusableConfiguration(
      `the OpenID configuration at ${configurationUrl} names the issuer ${issuer}, not a prefix of its URL`,
    );
  }
  const algorithms = raw.id_token_signing_alg_values_supported;
  if (!isStringArray(algorithms) || !algorithms.includes('RS256')) {
    throw unusableConfiguration('id_token_signing_alg_values_supported does not include RS256');
  }
  const authMethods = raw.token_endpoint_auth_methods_supported;
  if (authMethods !== undefined && (!isStringArray(authMethods) || !authMethods.includes('private_key_jwt'))) {
    throw unusableConfiguration('token_endpoint_auth_methods_supported does not include private_key_jwt');
  }
  const scopes = raw.scopes_supported;
  if (!isStringArray(scopes)) throw unusableConfiguration('scopes_supported is not a list of scopes');
  const lti = raw[PLATFORM_CONFIGURATION_CLAIM];
  if (!isObject(lti))
    throw unusableConfiguration(`the OpenID configuration has no ${PLATFORM_CONFIGURATION_CLAIM} claim`);
  if (typeof lti.product_family_code !== 'string' || lti.product_family_code.trim() === '') {
    throw unusableConfiguration('the LTI platform configuration has no product_family_code');
  }
  if (!Array.isArray(lti.messages_supported))
    throw unusableConfiguration('the LTI platform configuration has no messages_supported');
  const messages = lti.messages_supported
    .filter(isObject)
    .flatMap((message) =>
      typeof message.type === 'string'
        ? [{ type: message.type, placements: isStringArray(message.placements) ? message.placements : [] }]
        : [],
    );
  if (!messages.some((message) => message.type === 'LtiResourceLinkRequest')) {
    throw unusableConfiguration('the platform does not send LtiResourceLinkRequest');
  }
  const authorizationServer = raw.authorization_server;
  return {
    issuer,
    authorizationEndpoint: text('authorization_endpoint'),
    tokenEndpoint: text('token_endpoint'),
    jwksUri: text('jwks_uri'),
    registrationEndpoint: text('registration_endpoint'),
    authorizationServer:
      typeof authorizationServer === 'string' && authorizationServer.trim() !== '' ? authorizationServer : null,
    scopesSupported: scopes,
    productFamilyCode: lti.product_family_code.trim(),
    messagesSupported: messages,
  };
}

/**
 * Whether `url` begins with `issuer` at a path boundary, on the same origin: `https://lms.example` is not a
 * prefix of `https://lms.example.evil.test/…` in this sense, though it is as a string.
 */
function issuedBy(url: string, issuer: string): boolean {
  let fetched: URL;
  let named: URL;
  try {
    fetched = new URL(url);
    named = new URL(issuer);
  } catch {
    return false;
  }
  if (fetched.origin !== named.origin || !url.startsWith(issuer)) return false;
  return issuer.endsWith('/') || url.length === issuer.length || ['/', '?', '#'].includes(url[issuer.length]);
}

/**
 * The client registration request (LTI Dynamic Registration 1.0 §3.5, OpenID Connect Dynamic Client
 * Registration): the tool's URLs, the scopes it wants among those the platform supports, and its messages.
 */
export function toolRegistrationRequest(
  urls: ToolConfigurationDto,
  platform: PlatformConfiguration,
): Record<string, unknown> {
  const supported = new Set(platform.scopesSupported);
  const deepLinking = platform.messagesSupported.find((message) => message.type === 'LtiDeepLinkingRequest');
  const messages: Record<string, unknown>[] = [
    { type: 'LtiResourceLinkRequest', target_link_uri: urls.launchUrl, label: TOOL_NAME },
  ];
  if (deepLinking) {
    const placements = deepLinking.placements.filter((placement) => DEEP_LINKING_PLACEMENTS.has(placement));
    messages.push({
      type: 'LtiDeepLinkingRequest',
      target_link_uri: urls.launchUrl,
      label: 'Add a module’s knowledge check',
      placements: placements.length > 0 ? placements : ['ContentArea'],
    });
  }
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: urls.loginUrl,
    redirect_uris: [urls.launchUrl],
    client_name: TOOL_NAME,
    jwks_uri: urls.jwksUrl,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: TOOL_SCOPES.filter((scope) => supported.has(scope)).join(' '),
    [TOOL_CONFIGURATION_CLAIM]: {
      domain: new URL(urls.launchUrl).host,
      target_link_uri: urls.launchUrl,
      description: 'Knowledge checks of course modules, with scores sent to the gradebook',
      claims: TOOL_CLAIMS,
      messages,
    },
  };
}

/** The platform's answer to the registration (§3.6): the client id, and the deployment id when it made one. */
export function parseRegistrationAnswer(raw: unknown): RegistrationAnswer {
  if (!isObject(raw)) throw unusableConfiguration('the registration answer is not a JSON object');
  const clientId = raw.client_id;
  if (typeof clientId !== 'string' || clientId.trim() === '')
    throw unusableConfiguration('the registration answer has no client_id');
  const tool = raw[TOOL_CONFIGURATION_CLAIM];
  const deploymentId = isObject(tool) ? tool.deployment_id : undefined;
  return {
    clientId,
    deploymentId: typeof deploymentId === 'string' && deploymentId !== '' ? deploymentId : null,
  };
}

/** The name the platform is listed under: its product and host (`moodle at lms.example.edu`). */
export function platformName(platform: PlatformConfiguration): string {
  return `${platform.productFamilyCode} at ${new URL(platform.issuer).host}`.slice(0, 200);
}
