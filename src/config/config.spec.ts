import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from './config';

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

  it('refuses production without DATABASE_URL or with the development secret', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/DATABASE_URL is required/), expect.stringMatching(/JWT_SECRET/)]),
    );
  });

  it('starts in production with a database and a secret of its own', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app@db/assessment',
      JWT_SECRET: 'x'.repeat(48),
    });
    expect(config.env).toBe('production');
    expect(config.auth.signingKey).not.toBe(DEVELOPMENT_JWT_SECRET);
  });

  it('refuses a short JWT secret', () => {
    expect(problemsOf({ JWT_SECRET: 'short' })).toEqual([expect.stringMatching(/JWT_SECRET/)]);
  });
});
