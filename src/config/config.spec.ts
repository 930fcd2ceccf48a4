import { ConfigError, loadConfig } from './config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('gives working defaults for a first run with nothing set', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.http.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toBe('./.data');
  });

  it('listens on loopback unless HOST says otherwise', () => {
    expect(loadConfig({}).http.host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).http.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).http.host).toBe('0.0.0.0');
  });

  it('carries no signing secret of its own: without JWT_SECRET the key is left to the data folder', () => {
    const config = loadConfig({});
    expect(config.auth.signingKey).toBeUndefined();
    expect(config.auth.verifyKey).toBeUndefined();
    expect(loadConfig({ JWT_SECRET: 's'.repeat(40) }).auth.signingKey).toBe('s'.repeat(40));
  });

  it('reads and converts values', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://app@db:5432/assessment',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      DB_POOL_SIZE: '25',
    });
    expect(config.http.port).toBe(8080);
    expect(config.database.url).toBe('postgres://app@db:5432/assessment');
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.database.poolSize).toBe(25);
  });

  it('uses named statements unless DB_NAMED_STATEMENTS=false, and refuses anything but true or false', () => {
    expect(loadConfig({}).database.namedStatements).toBe(true);
    expect(loadConfig({ DB_NAMED_STATEMENTS: 'false' }).database.namedStatements).toBe(false);
    expect(loadConfig({ DB_NAMED_STATEMENTS: 'true' }).database.namedStatements).toBe(true);
    expect(problemsOf({ DB_NAMED_STATEMENTS: 'no' })).toEqual(['DB_NAMED_STATEMENTS must be true or false']);
  });

  it('reads reports from a replica only when REPLICA_DATABASE_URL is set beside DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db/assessment' }).database.replica).toBeUndefined();
    const primary = { DATABASE_URL: 'postgres://app@db/assessment' };
    expect(
      loadConfig({ ...primary, REPLICA_DATABASE_URL: 'postgres://app@replica/assessment' }).database.replica,
    ).toEqual({ url: 'postgres://app@replica/assessment', maxLagSeconds: 30 });
    expect(
      loadConfig({ ...primary, REPLICA_DATABASE_URL: 'postgres://r/a', REPLICA_MAX_LAG_S: '5' }).database.replica,
    ).toEqual({ url: 'postgres://r/a', maxLagSeconds: 5 });
    expect(problemsOf({ ...primary, REPLICA_DATABASE_URL: 'mysql://r/a' })).toEqual([
      'REPLICA_DATABASE_URL must be a postgres:// URL',
    ]);
    expect(problemsOf({ ...primary, REPLICA_MAX_LAG_S: '0' })).toEqual(['REPLICA_MAX_LAG_S must not be less than 1']);
    expect(problemsOf({ REPLICA_DATABASE_URL: 'postgres://r/a' })).toEqual([
      'REPLICA_DATABASE_URL needs DATABASE_URL (the embedded database has no replica)',
    ]);
  });

  it('delivers in a worker thread with a server database outside tests, inline otherwise or when told', () => {
    const server = { DATABASE_URL: 'postgres://app@db/assessment' };
    expect(loadConfig(server).events.delivery).toBe('thread');
    expect(
      loadConfig({ ...server, NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40), WEBHOOK_SECRET_KEY: 'k'.repeat(40) })
        .events.delivery,
    ).toBe('thread');
    expect(loadConfig({}).events.delivery).toBe('inline');
    expect(loadConfig({ ...server, NODE_ENV: 'test' }).events.delivery).toBe('inline');
    expect(loadConfig({ ...server, WEBHOOK_DELIVERY: 'inline' }).events.delivery).toBe('inline');
    expect(loadConfig({ NODE_ENV: 'test', WEBHOOK_DELIVERY: 'thread' }).events.delivery).toBe('thread');
    expect(problemsOf({ WEBHOOK_DELIVERY: 'process' })).toHaveLength(1);
  });

  it('keeps pooled connections 5 minutes idle unless DB_POOL_IDLE_MS says otherwise', () => {
    expect(loadConfig({}).database.poolIdleMs).toBe(300_000);
    expect(loadConfig({ DB_POOL_IDLE_MS: '30000' }).database.poolIdleMs).toBe(30_000);
    expect(problemsOf({ DB_POOL_IDLE_MS: '10' })).toHaveLength(1);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems).toHaveLength(3);
  });

  it('refuses production without DATABASE_URL or a secret of its own, and with demo users', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DEMO_USERS: 'true' });
    expect(problems).toEqual([
      expect.stringMatching(/DATABASE_URL is required/),
      expect.stringMatching(/JWT_SECRET .* is required/),
      expect.stringMatching(/DEMO_USERS/),
      expect.stringMatching(/WEBHOOK_SECRET_KEY is required/),
    ]);
    const webhookKey = 'k'.repeat(40);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://app@db/a',
        JWT_SECRET: '',
        WEBHOOK_SECRET_KEY: webhookKey,
      }),
    ).toEqual([expect.stringMatching(/JWT_SECRET .* is required/)]);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://app@db/a',
        JWT_ALGORITHM: 'RS256',
        WEBHOOK_SECRET_KEY: webhookKey,
      }),
    ).toEqual([expect.stringMatching(/JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are required/)]);
    expect(
      problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db/a', JWT_SECRET: 'x'.repeat(48) }),
    ).toEqual([expect.stringMatching(/WEBHOOK_SECRET_KEY is required/)]);
  });

  it('starts in production with a database and a secret of its own', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app@db/assessment',
      JWT_SECRET: 'x'.repeat(48),
      WEBHOOK_SECRET_KEY: 'k'.repeat(40),
    });
    expect(config.env).toBe('production');
    expect(config.auth.signingKey).toBe('x'.repeat(48));
    expect(config.demoUsers).toBe(false);
  });

  it('opens LTI dynamic registration outside production, and in production only with LTI_DYNAMIC_REGISTRATION=true', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app@db/assessment',
      JWT_SECRET: 'x'.repeat(48),
      WEBHOOK_SECRET_KEY: 'k'.repeat(40),
    };
    expect(loadConfig({}).lti.dynamicRegistration).toBe(true);
    expect(loadConfig({ LTI_DYNAMIC_REGISTRATION: 'false' }).lti.dynamicRegistration).toBe(false);
    expect(loadConfig(production).lti.dynamicRegistration).toBe(false);
    expect(loadConfig({ ...production, LTI_DYNAMIC_REGISTRATION: 'true' }).lti.dynamicRegistration).toBe(true);
    expect(problemsOf({ LTI_DYNAMIC_REGISTRATION: 'yes' })).toEqual(['LTI_DYNAMIC_REGISTRATION must be true or false']);
  });

  it('lets LMS origins frame the pages: https anywhere, loopback http outside production only', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app@db/assessment',
      JWT_SECRET: 'x'.repeat(48),
      WEBHOOK_SECRET_KEY: 'k'.repeat(40),
    };
    expect(loadConfig({}).http.frameAncestors).toBe("'none'");
    const lms = 'https://lms.example.edu https://*.instructure.com:8443';
    expect(loadConfig({ ...production, FRAME_ANCESTORS: lms }).http.frameAncestors).toBe(lms);
    expect(loadConfig({ FRAME_ANCESTORS: "'self' http://127.0.0.1:4100 http://localhost" }).http.frameAncestors).toBe(
      "'self' http://127.0.0.1:4100 http://localhost",
    );
    expect(problemsOf({ ...production, FRAME_ANCESTORS: 'http://localhost:4100' })).toEqual([
      'FRAME_ANCESTORS may name http:// origins only outside production',
    ]);
    for (const bad of ['http://lms.example.edu', '*', 'https://lms.example.edu;script-src *']) {
      expect(problemsOf({ FRAME_ANCESTORS: bad })).toEqual([
        "FRAME_ANCESTORS must be space-separated https:// origins or 'self'",
      ]);
    }
  });

  it('refuses a short JWT secret', () => {
    expect(problemsOf({ JWT_SECRET: 'short' })).toEqual([expect.stringMatching(/JWT_SECRET/)]);
  });

  describe('xAPI', () => {
    const lrs = { XAPI_LRS_USERNAME: 'lrs-user', XAPI_LRS_PASSWORD: 'a-password-of-the-lrs' };
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app@db/assessment',
      JWT_SECRET: 's'.repeat(40),
      WEBHOOK_SECRET_KEY: 'k'.repeat(40),
    };

    it('has no LRS unless XAPI_LRS_URL is set, and documented defaults for ids', () => {
      const config = loadConfig({});
      expect(config.xapi.lrs).toBeUndefined();
      expect(config.xapi.activityBaseUrl).toBe('https://assessment-api.invalid');
      expect(config.xapi.accountHomePage).toBe('https://assessment-api.invalid');
      const set = loadConfig({
        XAPI_LRS_URL: 'http://localhost:8080/xapi/',
        XAPI_ACTIVITY_BASE_URL: 'https://assess.example.edu/',
        XAPI_ACCOUNT_HOME_PAGE: 'https://lms.example.edu',
        ...lrs,
      });
      expect(set.xapi).toEqual({
        lrs: { url: 'http://localhost:8080/xapi/', username: 'lrs-user', password: 'a-password-of-the-lrs' },
        activityBaseUrl: 'https://assess.example.edu',
        accountHomePage: 'https://lms.example.edu',
      });
    });

    it('follows the webhook URL rules, wants the credentials with the URL, and never echoes the password', () => {
      expect(problemsOf({ XAPI_LRS_URL: 'http://lrs.example.com/xapi', ...lrs })).toEqual([
        'XAPI_LRS_URL must be https (http only to localhost outside production)',
      ]);
      expect(problemsOf({ ...production, XAPI_LRS_URL: 'http://localhost/xapi', ...lrs })).toEqual([
        'XAPI_LRS_URL must be https',
      ]);
      expect(problemsOf({ ...production, XAPI_LRS_URL: 'https://lrs.example.com/xapi', ...lrs })).toEqual([]);
      expect(problemsOf({ XAPI_LRS_URL: 'https://user:pw@lrs.example.com/xapi', ...lrs })).toEqual([
        'XAPI_LRS_URL must not hold credentials',
      ]);
      expect(problemsOf({ XAPI_LRS_URL: 'https://lrs.example.com/xapi', XAPI_LRS_USERNAME: 'u' })).toEqual([
        'XAPI_LRS_USERNAME and XAPI_LRS_PASSWORD are required with XAPI_LRS_URL (basic auth)',
      ]);
      expect(problemsOf({ XAPI_LRS_PASSWORD: 'a-password-of-the-lrs' })).toEqual([
        'XAPI_LRS_USERNAME and XAPI_LRS_PASSWORD need XAPI_LRS_URL',
      ]);
      expect(problemsOf({ XAPI_ACTIVITY_BASE_URL: 'not a url' })).toHaveLength(1);
      const all = problemsOf({ XAPI_LRS_URL: 'ftp://lrs.example.com', ...lrs }).join(' ');
      expect(all).not.toContain('a-password-of-the-lrs');
    });
  });
});
