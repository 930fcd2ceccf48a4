import {
  parsePlatformConfiguration,
  parseRegistrationAnswer,
  PLATFORM_CONFIGURATION_CLAIM,
  platformName,
  TOOL_CONFIGURATION_CLAIM,
  toolRegistrationRequest,
} from './dynamic-registration';
import { LtiRefusal } from './lti-refusal';

const ISSUER = 'https://lms.example.edu';
const CONFIGURATION_URL = `${ISSUER}/.well-known/openid-configuration`;
const TOOL = {
  loginUrl: 'https://quiz.example.edu/lti/login',
  launchUrl: 'https://quiz.example.edu/lti/launch',
  jwksUrl: 'https://quiz.example.edu/lti/jwks',
};

const configuration = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/auth`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/jwks`,
  registration_endpoint: `${ISSUER}/register`,
  id_token_signing_alg_values_supported: ['RS256'],
  scopes_supported: ['openid', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'],
  [PLATFORM_CONFIGURATION_CLAIM]: {
    product_family_code: 'moodle',
    version: '4.3',
    messages_supported: [{ type: 'LtiResourceLinkRequest' }],
  },
  ...overrides,
});

/** The reason logged for a refused configuration (the page says the same plain words for all). */
function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof LtiRefusal) return error.reason;
    throw error;
  }
  throw new Error('not refused');
}

describe('parsePlatformConfiguration', () => {
  it('reads what the tool uses', () => {
    expect(
      parsePlatformConfiguration(configuration({ authorization_server: 'https://auth.example' }), CONFIGURATION_URL),
    ).toEqual({
      issuer: ISSUER,
      authorizationEndpoint: `${ISSUER}/auth`,
      tokenEndpoint: `${ISSUER}/token`,
      jwksUri: `${ISSUER}/jwks`,
      registrationEndpoint: `${ISSUER}/register`,
      authorizationServer: 'https://auth.example',
      scopesSupported: ['openid', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'],
      productFamilyCode: 'moodle',
      messagesSupported: [{ type: 'LtiResourceLinkRequest', placements: [] }],
    });
  });

  it('wants the issuer to begin the configuration URL at a path boundary, on its origin', () => {
    const accepted = (issuer: string, url: string) =>
      parsePlatformConfiguration(configuration({ issuer }), url).issuer === issuer;
    expect(accepted(ISSUER, CONFIGURATION_URL)).toBe(true);
    expect(accepted(`${ISSUER}/`, CONFIGURATION_URL)).toBe(true);
    expect(accepted(`${ISSUER}/moodle`, `${ISSUER}/moodle/.well-known/openid-configuration`)).toBe(true);
    for (const [issuer, url] of [
      ['https://other.example.edu', CONFIGURATION_URL],
      [ISSUER, 'https://lms.example.edu.evil.test/.well-known/openid-configuration'],
      [`${ISSUER}/moodle`, `${ISSUER}/moodle2/.well-known/openid-configuration`],
      ['not a url', 'not a url/x'],
    ]) {
      expect(reasonOf(() => parsePlatformConfiguration(configuration({ issuer }), url))).toMatch(/not a prefix/);
    }
  });

  it('refuses what the specification requires and is missing', () => {
    const refused = (overrides: Record<string, unknown>) =>
      reasonOf(() => parsePlatformConfiguration(configuration(overrides), CONFIGURATION_URL));
    expect(refused({ registration_endpoint: undefined })).toMatch(/no registration_endpoint/);
    expect(refused({ jwks_uri: '' })).toMatch(/no jwks_uri/);
    expect(refused({ id_token_signing_alg_values_supported: ['ES256'] })).toMatch(/RS256/);
    expect(refused({ token_endpoint_auth_methods_supported: ['client_secret_basic'] })).toMatch(/private_key_jwt/);
    expect(refused({ scopes_supported: 'openid' })).toMatch(/scopes_supported/);
    expect(refused({ [PLATFORM_CONFIGURATION_CLAIM]: undefined })).toMatch(/lti-platform-configuration claim/);
    expect(refused({ [PLATFORM_CONFIGURATION_CLAIM]: { messages_supported: [] } })).toMatch(/product_family_code/);
    expect(
      refused({
        [PLATFORM_CONFIGURATION_CLAIM]: {
          product_family_code: 'x',
          messages_supported: [{ type: 'LtiDeepLinkingRequest' }],
        },
      }),
    ).toMatch(/LtiResourceLinkRequest/);
    expect(reasonOf(() => parsePlatformConfiguration([], CONFIGURATION_URL))).toMatch(/not a JSON object/);
  });
});

describe('toolRegistrationRequest', () => {
  const request = (messages: unknown[]) =>
    toolRegistrationRequest(
      TOOL,
      parsePlatformConfiguration(
        configuration({
          [PLATFORM_CONFIGURATION_CLAIM]: { product_family_code: 'canvas', messages_supported: messages },
        }),
        CONFIGURATION_URL,
      ),
    );
  const messagesOf = (body: Record<string, unknown>) =>
    (body[TOOL_CONFIGURATION_CLAIM] as { messages: { type: string; placements?: string[] }[] }).messages;

  it('asks only for the scopes the platform supports', () => {
    expect(request([{ type: 'LtiResourceLinkRequest' }]).scope).toBe(
      'https://purl.imsglobal.org/spec/lti-ags/scope/score',
    );
  });

  it('offers deep linking only to a platform that sends it, at the placements it names that are pickers', () => {
    expect(messagesOf(request([{ type: 'LtiResourceLinkRequest' }])).map((message) => message.type)).toEqual([
      'LtiResourceLinkRequest',
    ]);
    const canvas = messagesOf(
      request([
        { type: 'LtiResourceLinkRequest' },
        { type: 'LtiDeepLinkingRequest', placements: ['course_navigation', 'assignment_selection', 'link_selection'] },
      ]),
    );
    expect(canvas[1]).toMatchObject({
      type: 'LtiDeepLinkingRequest',
      placements: ['assignment_selection', 'link_selection'],
    });
    const unnamed = messagesOf(request([{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }]));
    expect(unnamed[1].placements).toEqual(['ContentArea']);
  });
});

describe('parseRegistrationAnswer and platformName', () => {
  it('reads the client id and the deployment id when the platform made one', () => {
    expect(parseRegistrationAnswer({ client_id: 'c1', [TOOL_CONFIGURATION_CLAIM]: { deployment_id: 'd1' } })).toEqual({
      clientId: 'c1',
      deploymentId: 'd1',
    });
    expect(parseRegistrationAnswer({ client_id: 'c1' })).toEqual({ clientId: 'c1', deploymentId: null });
    expect(reasonOf(() => parseRegistrationAnswer({ client_id: '' }))).toMatch(/no client_id/);
  });

  it('names the platform by its product and host', () => {
    expect(platformName(parsePlatformConfiguration(configuration(), CONFIGURATION_URL))).toBe(
      'moodle at lms.example.edu',
    );
  });
});
