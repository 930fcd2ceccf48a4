import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

/** Secrets that ship in the repository for local use; production refuses them. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me-0123456789abcdef';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** The environment as read at boot. Names match the variables one for one. */
class EnvironmentVariables {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './.data';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  /** Comma-separated origins allowed by CORS; empty disables CORS. `*` allows any. */
  @IsString()
  CORS_ORIGINS = '';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;

  /** Number of proxy hops to trust for the client address (X-Forwarded-For). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY_HOPS = 0;

  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET = DEVELOPMENT_JWT_SECRET;
}

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  http: {
    port: number;
    host: string;
    bodyLimitBytes: number;
    corsOrigins: string[];
    trustProxyHops: number;
    shutdownTimeoutMs: number;
  };
  database: {
    /** Undefined means: start the embedded PostgreSQL in `dataDir`. */
    url?: string;
    dataDir: string;
    poolSize: number;
  };
  log: { level: EnvironmentVariables['LOG_LEVEL'] };
  metrics: { token?: string };
  auth: { jwtSecret: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment. Throws a ConfigError naming every bad
 * variable at once, so a failed start says everything that is wrong.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const vars = plainToInstance(EnvironmentVariables, { ...env });
  const problems = validateSync(vars, { stopAtFirstError: true }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );

  if (vars.NODE_ENV === 'production') {
    if (!vars.DATABASE_URL) problems.push('DATABASE_URL is required when NODE_ENV=production');
    if (vars.JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
      problems.push('JWT_SECRET must be changed from its development default when NODE_ENV=production');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: vars.NODE_ENV,
    http: {
      port: vars.PORT,
      host: vars.HOST,
      bodyLimitBytes: vars.BODY_LIMIT_BYTES,
      corsOrigins: vars.CORS_ORIGINS.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
      trustProxyHops: vars.TRUST_PROXY_HOPS,
      shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    },
    database: { url: vars.DATABASE_URL, dataDir: vars.DATA_DIR, poolSize: vars.DB_POOL_SIZE },
    log: { level: vars.LOG_LEVEL },
    metrics: { token: vars.METRICS_TOKEN },
    auth: { jwtSecret: vars.JWT_SECRET },
  };
}
