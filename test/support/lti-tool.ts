import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { TestApp } from './app';
import { bearer, type TestUser } from './identity';
import { startTestPlatform, type TestLaunch, type TestPlatform } from './lti-platform';

/** The tool (a test app listening on loopback) and a test platform registered with it. */
export interface LtiSetup {
  origin: string;
  platform: TestPlatform;
  platformId: string;
}

/** Listens on a loopback port (platforms call the tool's JWKS), starts a test platform, registers it. */
export async function registerTestPlatform(t: TestApp, admin: TestUser): Promise<LtiSetup> {
  await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  const platform = await startTestPlatform({ toolJwksUrl: () => `${origin}/lti/jwks` });
  platform.setRedirectUris(`${origin}/lti/launch`);
  return { origin, platform, platformId: await registerPlatform(t, admin, platform) };
}

/** Registers a running test platform with the tool, as an admin does (`POST /v1/lti/platforms`); its id. */
export async function registerPlatform(
  t: Pick<TestApp, 'server'>,
  admin: TestUser,
  platform: TestPlatform,
): Promise<string> {
  const registered = await request(t.server)
    .post('/v1/lti/platforms')
    .set(bearer(admin.token))
    .send({
      name: 'Test LMS',
      issuer: platform.issuer,
      clientId: platform.clientId,
      deploymentIds: [platform.deploymentId],
      authorizationUrl: platform.authorizeUrl,
      tokenUrl: platform.tokenUrl,
      jwksUrl: platform.jwksUrl,
    })
    .expect(201);
  return registered.body.id as string;
}

/** The tool's login for a prepared launch: its redirect to the platform (with state and nonce). */
export async function ltiLogin(t: TestApp, platform: TestPlatform, launch: TestLaunch): Promise<URL> {
  const prepared = platform.prepareLaunch(launch);
  const response = await request(t.server).post('/lti/login').type('form').send(prepared.loginParameters);
  if (response.status !== 302) throw new Error(`login answered ${response.status}: ${response.text}`);
  return new URL(response.headers.location);
}

/** A whole launch as a browser makes it: login, the platform's authorization, the form posted back. */
export async function launchAs(t: TestApp, platform: TestPlatform, launch: TestLaunch) {
  const authorization = await ltiLogin(t, platform, launch);
  const posted = await platform.authenticate(authorization.toString());
  const response = await request(t.server).post('/lti/launch').type('form').send(posted.fields);
  return { response, fields: posted.fields, action: posted.action };
}

/** The `name=value` of the session cookie a launch set, if it set one. */
export function sessionCookieOf(response: request.Response): string | undefined {
  return ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((line) => line.startsWith('session='));
}
