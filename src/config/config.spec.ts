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

  it('refuses a short JWT secret', () => {
    expect(problemsOf({ JWT_SECRET: 'short' })).toEqual([expect.stringMatching(/JWT_SECRET/)]);
  });
});
