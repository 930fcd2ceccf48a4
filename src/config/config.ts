import { plainToInstance, Transform } from 'class-transformer';
import { urlFormProblem } from '../events/webhook-url';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MaxLength,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
/** One FRAME_ANCESTORS source: an https origin (wildcard subdomains allowed), 'self', or a loopback http origin. */
const FRAME_SOURCE = String.raw`(https:\/\/[a-z0-9.*-]+(:\d+)?|'self'|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?)`;
const FRAME_ANCESTORS_FORM = new RegExp(`^${FRAME_SOURCE}( ${FRAME_SOURCE})*$`, 'i');

/** The environment as read at boot. Names match the variables one for one. */
class EnvironmentVariables {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** Loopback unless told otherwise: listening on every interface is a deliberate `HOST=0.0.0.0`. */
  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

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

  /** How long a request waits for a pooled connection (or a new one) before answering 503. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  DB_ACQUIRE_TIMEOUT_MS = 5_000;

  /**
   * How long a pooled connection may sit idle before it is closed. A new connection costs more than
   * its opening: its first run of the cohort report took 90–160 ms against 36 ms on a connection
   * that had run it (10,000 learners), so connections are kept through the pauses of a quiet day.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  DB_POOL_IDLE_MS = 300_000;

  /** PostgreSQL's statement_timeout for every connection; a statement past it is cancelled (503). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  DB_STATEMENT_TIMEOUT_MS = 30_000;

  /**
   * The hot paths' fixed statements as named prepared statements (planned once per connection). Turn off
   * behind a pooler that cannot carry them (PgBouncer before 1.21 in transaction pooling mode).
   */
  @Transform(({ value }: { value: unknown }) =>
    value === undefined || value === '' ? true : value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'DB_NAMED_STATEMENTS must be true or false' })
  DB_NAMED_STATEMENTS = true;

  /**
   * A streaming replica of DATABASE_URL that the instructors' report reads (progress, item analysis, CSV
   * exports) go to; unset: everything reads the primary.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'REPLICA_DATABASE_URL must be a postgres:// URL' })
  REPLICA_DATABASE_URL?: string;

  /** A replica whose replay lags more than this (seconds) is passed over: reports read the primary. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  REPLICA_MAX_LAG_S = 30;

  /** How long a starting instance keeps trying to reach DATABASE_URL before it gives up. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600)
  DB_CONNECT_TIMEOUT_S = 60;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  /** Comma-separated origins allowed by CORS; empty disables CORS. `*` allows any. */
  @IsString()
  CORS_ORIGINS = '';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  // Room for a module and its answer key (up to 512 KiB each) or a roster of tens of thousands.
  BODY_LIMIT_BYTES = 4 * 1024 * 1024;

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

  @IsIn(['HS256', 'RS256', 'ES256'])
  JWT_ALGORITHM: 'HS256' | 'RS256' | 'ES256' = 'HS256';

  /**
   * Signs and verifies access tokens when JWT_ALGORITHM is HS256. Unset outside
   * production: a random secret is generated once and kept in DATA_DIR.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** PEM keys for RS256/ES256; `\n` escapes are accepted for one-line values. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_PRIVATE_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_PUBLIC_KEY?: string;

  @IsString()
  @MinLength(1)
  JWT_ISSUER = 'assessment-api';

  @IsString()
  @MinLength(1)
  JWT_AUDIENCE = 'assessment-api';

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(900, { message: 'JWT_ACCESS_TTL_SECONDS must not exceed 900 (15 minutes)' })
  JWT_ACCESS_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60)
  JWT_CLOCK_TOLERANCE_SECONDS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS = 30;

  /** A page session's longest life, however active (hours). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(168)
  SESSION_TTL_HOURS = 12;

  /** A page session unused this long ends (minutes). */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(1440)
  SESSION_IDLE_MINUTES = 120;

  /**
   * Who may frame the pages (CSP frame-ancestors): space-separated origins such as an LMS's
   * `https://lms.example.edu`; empty: nobody ('none'). Outside production `http://localhost` and
   * `http://127.0.0.1` (any port) are allowed too, for an LMS on the same machine.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(FRAME_ANCESTORS_FORM, {
    message: "FRAME_ANCESTORS must be space-separated https:// origins or 'self'",
  })
  FRAME_ANCESTORS?: string;

  /** Optional external identity provider or LMS whose tokens are accepted too. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'JWT_JWKS_URL must be an http(s) URL' })
  JWT_JWKS_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_EXTERNAL_ISSUER?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_EXTERNAL_AUDIENCE?: string;

  @IsIn(['RS256', 'ES256', 'PS256'])
  JWT_EXTERNAL_ALGORITHM: 'RS256' | 'ES256' | 'PS256' = 'RS256';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  LOGIN_MAX_FAILURES_PER_ACCOUNT = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  LOGIN_MAX_FAILURES_PER_ADDRESS = 20;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  LOGIN_FAILURE_WINDOW_SECONDS = 900;

  /** How often overdue attempts are closed; 0 turns the sweeper off (tests call it directly). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  ATTEMPT_SWEEP_INTERVAL_MS = 15_000;

  /** How often expired idempotency keys and sign-in failure counts are deleted; 0 turns it off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  HOUSEKEEPING_INTERVAL_MS = 3_600_000;

  /**
   * Encrypts webhook signing secrets at rest (AES-256-GCM under a key derived from it), so a
   * database dump alone does not reveal them. Required in production; elsewhere a random key
   * is made once and kept in DATA_DIR.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'WEBHOOK_SECRET_KEY must be at least 32 characters' })
  WEBHOOK_SECRET_KEY?: string;

  /** How often due webhook deliveries are looked for; 0 turns delivery off (tests deliver directly). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  WEBHOOK_POLL_INTERVAL_MS = 500;

  /** How long a receiver has to answer one delivery. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /**
   * Where an instance delivers: `thread`, in a worker thread of its own (off the event loop that
   * answers requests; the default with DATABASE_URL outside tests), or `inline`, on the request
   * thread (the embedded database, which takes one connection, and the tests).
   */
  @IsOptional()
  @IsIn(['thread', 'inline'])
  WEBHOOK_DELIVERY?: 'thread' | 'inline';

  /** Events (and their deliveries) older than this are deleted by housekeeping. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3_650)
  EVENT_RETENTION_DAYS = 30;

  /**
   * An LRS that receives xAPI 1.0.3 statements (POST {XAPI_LRS_URL}/statements, basic auth).
   * Unset: nothing about xAPI is queued. Same rules as webhook URLs: https in production, http
   * only to localhost elsewhere.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  XAPI_LRS_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(500)
  XAPI_LRS_USERNAME?: string;

  /** Kept encrypted with WEBHOOK_SECRET_KEY in the database; never logged. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(500)
  XAPI_LRS_PASSWORD?: string;

  /** Where xAPI activity ids live: `<base>/xapi/modules/<id>`, …; set it to the service's public address. */
  @Matches(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/, {
    message: 'XAPI_ACTIVITY_BASE_URL must be an http(s) URL without query or fragment',
  })
  XAPI_ACTIVITY_BASE_URL = 'https://assessment-api.invalid';

  /** The `homePage` of actors named by their external id: the system that id belongs to (the LMS). Default: XAPI_ACTIVITY_BASE_URL. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'XAPI_ACCOUNT_HOME_PAGE must be an http(s) URL' })
  XAPI_ACCOUNT_HOME_PAGE?: string;

  /**
   * Encrypts the LTI tool's private keys at rest. Unset: a key derived from WEBHOOK_SECRET_KEY (its own HKDF
   * purpose), which production requires anyway.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'LTI_KEY_ENCRYPTION_KEY must be at least 32 characters' })
  LTI_KEY_ENCRYPTION_KEY?: string;

  /**
   * The service's public address (`https://assessment.example.edu`): the LTI launch, login, JWKS and deep
   * linking URLs a platform registers are made from it. Unset: taken from each request (Host, and
   * X-Forwarded-Proto within TRUST_PROXY_HOPS), which is right on localhost and behind a proxy that sets them.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^/?#\s]+$/, {
    message: 'PUBLIC_URL must be an http(s) origin without path, e.g. https://quiz.example.edu',
  })
  PUBLIC_URL?: string;

  /** How long a page session opened by an LTI launch lasts (it is in an LMS's iframe: short). */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(24 * 60)
  LTI_SESSION_MINUTES = 120;

  /**
   * LTI Dynamic Registration at `GET /lti/register`: anyone whose LMS can reach the URL may register it as a
   * platform, so production opts in with `true`. Unset: on outside production.
   */
  @Transform(({ value }: { value: unknown }) =>
    value === undefined || value === '' ? undefined : value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsOptional()
  @IsBoolean({ message: 'LTI_DYNAMIC_REGISTRATION must be true or false' })
  LTI_DYNAMIC_REGISTRATION?: boolean;

  /** Create demo users on the first start of the embedded database (never in production). */
  @Transform(({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : value === 'true'))
  @IsOptional()
  @IsBoolean()
  DEMO_USERS?: boolean;
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
    /** CSP frame-ancestors of the pages. */
    frameAncestors: string;
  };
  database: {
    /** Undefined means: start the embedded PostgreSQL in `dataDir`. */
    url?: string;
    dataDir: string;
    poolSize: number;
    acquireTimeoutMs: number;
    poolIdleMs: number;
    statementTimeoutMs: number;
    connectTimeoutSeconds: number;
    namedStatements: boolean;
    /** Where report reads go while it keeps up (src/database/replica); undefined: the primary. */
    replica?: { url: string; maxLagSeconds: number };
  };
  log: { level: EnvironmentVariables['LOG_LEVEL'] };
  metrics: { token?: string };
  auth: {
    algorithm: EnvironmentVariables['JWT_ALGORITHM'];
    /**
     * HS256 secret, or the PEM private key for RS256/ES256. Undefined means: the
     * secret kept in the data folder, resolved at start (src/auth/local-secret.ts).
     */
    signingKey?: string;
    /** HS256 secret, or the PEM public key for RS256/ES256; undefined as signingKey. */
    verifyKey?: string;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    clockToleranceSeconds: number;
    refreshTokenTtlDays: number;
    session: { ttlHours: number; idleMinutes: number };
    external?: {
      jwksUrl: string;
      issuer: string;
      audience: string;
      algorithm: EnvironmentVariables['JWT_EXTERNAL_ALGORITHM'];
    };
    login: { maxFailuresPerAccount: number; maxFailuresPerAddress: number; windowSeconds: number };
  };
  attempts: { sweepIntervalMs: number };
  housekeeping: { intervalMs: number };
  events: {
    /** Undefined means: the key kept in the data folder, resolved at start (src/auth/local-secret.ts). */
    secretKey?: string;
    pollIntervalMs: number;
    /** Delivery in a worker thread of the instance, or on the request thread (WEBHOOK_DELIVERY). */
    delivery: 'thread' | 'inline';
    timeoutMs: number;
    retentionDays: number;
  };
  xapi: {
    /** The LRS statements are sent to; undefined: none (statements are still served to LRSs that pull). */
    lrs?: { url: string; username: string; password: string };
    /** Base of activity ids, without a trailing slash. */
    activityBaseUrl: string;
    /** `account.homePage` of actors named by their external id. */
    accountHomePage: string;
  };
  lti: {
    /** Undefined means: derived from events.secretKey. */
    keySecret?: string;
    /** Origin without a trailing slash; undefined: from each request. */
    publicUrl?: string;
    sessionMinutes: number;
    /** `GET /lti/register` (LTI Dynamic Registration) answers; off in production unless LTI_DYNAMIC_REGISTRATION=true. */
    dynamicRegistration: boolean;
  };
  /** Demo users on the first start of an empty embedded database. */
  demoUsers: boolean;
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

  const asymmetric = vars.JWT_ALGORITHM !== 'HS256';
  if (asymmetric && (!vars.JWT_PRIVATE_KEY || !vars.JWT_PUBLIC_KEY)) {
    problems.push(`JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are required when JWT_ALGORITHM=${vars.JWT_ALGORITHM}`);
  }
  const externalSet = [vars.JWT_JWKS_URL, vars.JWT_EXTERNAL_ISSUER, vars.JWT_EXTERNAL_AUDIENCE].filter(Boolean).length;
  if (externalSet > 0 && externalSet < 3) {
    problems.push('JWT_JWKS_URL, JWT_EXTERNAL_ISSUER and JWT_EXTERNAL_AUDIENCE must be set together');
  }
  if (vars.JWT_EXTERNAL_ISSUER && vars.JWT_EXTERNAL_ISSUER === vars.JWT_ISSUER) {
    problems.push('JWT_EXTERNAL_ISSUER must differ from JWT_ISSUER');
  }
  if (vars.NODE_ENV === 'production') {
    if (!vars.DATABASE_URL) problems.push('DATABASE_URL is required when NODE_ENV=production');
    if (!asymmetric && !vars.JWT_SECRET) {
      problems.push('JWT_SECRET (or JWT_ALGORITHM with a key pair) is required when NODE_ENV=production');
    }
    if (vars.DEMO_USERS) problems.push('DEMO_USERS cannot be enabled when NODE_ENV=production');
    if (!vars.WEBHOOK_SECRET_KEY) problems.push('WEBHOOK_SECRET_KEY is required when NODE_ENV=production');
    if (/(^| )http:/i.test(vars.FRAME_ANCESTORS ?? '')) {
      problems.push('FRAME_ANCESTORS may name http:// origins only outside production');
    }
  }
  if (vars.REPLICA_DATABASE_URL && !vars.DATABASE_URL) {
    problems.push('REPLICA_DATABASE_URL needs DATABASE_URL (the embedded database has no replica)');
  }
  problems.push(...xapiProblems(vars));
  if (problems.length > 0) throw new ConfigError(problems);

  const pem = (value: string | undefined) => (value ?? '').replace(/\\n/g, '\n');

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
      frameAncestors: vars.FRAME_ANCESTORS ?? "'none'",
    },
    database: {
      url: vars.DATABASE_URL,
      dataDir: vars.DATA_DIR,
      poolSize: vars.DB_POOL_SIZE,
      acquireTimeoutMs: vars.DB_ACQUIRE_TIMEOUT_MS,
      poolIdleMs: vars.DB_POOL_IDLE_MS,
      statementTimeoutMs: vars.DB_STATEMENT_TIMEOUT_MS,
      connectTimeoutSeconds: vars.DB_CONNECT_TIMEOUT_S,
      namedStatements: vars.DB_NAMED_STATEMENTS,
      replica: vars.REPLICA_DATABASE_URL
        ? { url: vars.REPLICA_DATABASE_URL, maxLagSeconds: vars.REPLICA_MAX_LAG_S }
        : undefined,
    },
    log: { level: vars.LOG_LEVEL },
    metrics: { token: vars.METRICS_TOKEN },
    auth: {
      algorithm: vars.JWT_ALGORITHM,
      signingKey: asymmetric ? pem(vars.JWT_PRIVATE_KEY) : vars.JWT_SECRET,
      verifyKey: asymmetric ? pem(vars.JWT_PUBLIC_KEY) : vars.JWT_SECRET,
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      accessTokenTtlSeconds: vars.JWT_ACCESS_TTL_SECONDS,
      clockToleranceSeconds: vars.JWT_CLOCK_TOLERANCE_SECONDS,
      refreshTokenTtlDays: vars.REFRESH_TOKEN_TTL_DAYS,
      session: { ttlHours: vars.SESSION_TTL_HOURS, idleMinutes: vars.SESSION_IDLE_MINUTES },
      external:
        vars.JWT_JWKS_URL && vars.JWT_EXTERNAL_ISSUER && vars.JWT_EXTERNAL_AUDIENCE
          ? {
              jwksUrl: vars.JWT_JWKS_URL,
              issuer: vars.JWT_EXTERNAL_ISSUER,
              audience: vars.JWT_EXTERNAL_AUDIENCE,
              algorithm: vars.JWT_EXTERNAL_ALGORITHM,
            }
          : undefined,
      login: {
        maxFailuresPerAccount: vars.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        maxFailuresPerAddress: vars.LOGIN_MAX_FAILURES_PER_ADDRESS,
        windowSeconds: vars.LOGIN_FAILURE_WINDOW_SECONDS,
      },
    },
    attempts: { sweepIntervalMs: vars.ATTEMPT_SWEEP_INTERVAL_MS },
    housekeeping: { intervalMs: vars.HOUSEKEEPING_INTERVAL_MS },
    events: {
      secretKey: vars.WEBHOOK_SECRET_KEY,
      pollIntervalMs: vars.WEBHOOK_POLL_INTERVAL_MS,
      delivery: vars.WEBHOOK_DELIVERY ?? (vars.DATABASE_URL && vars.NODE_ENV !== 'test' ? 'thread' : 'inline'),
      timeoutMs: vars.WEBHOOK_TIMEOUT_MS,
      retentionDays: vars.EVENT_RETENTION_DAYS,
    },
    xapi: {
      lrs: vars.XAPI_LRS_URL
        ? { url: vars.XAPI_LRS_URL, username: vars.XAPI_LRS_USERNAME ?? '', password: vars.XAPI_LRS_PASSWORD ?? '' }
        : undefined,
      activityBaseUrl: vars.XAPI_ACTIVITY_BASE_URL.replace(/\/+$/, ''),
      accountHomePage: vars.XAPI_ACCOUNT_HOME_PAGE ?? vars.XAPI_ACTIVITY_BASE_URL.replace(/\/+$/, ''),
    },
    lti: {
      keySecret: vars.LTI_KEY_ENCRYPTION_KEY,
      publicUrl: vars.PUBLIC_URL,
      sessionMinutes: vars.LTI_SESSION_MINUTES,
      dynamicRegistration: vars.LTI_DYNAMIC_REGISTRATION ?? vars.NODE_ENV !== 'production',
    },
    demoUsers: vars.NODE_ENV !== 'production' && !vars.DATABASE_URL && (vars.DEMO_USERS ?? true),
  };
}

/** The LRS settings go together; its URL follows the webhook URL rules (the DNS check follows at start). Values are never echoed. */
function xapiProblems(vars: EnvironmentVariables): string[] {
  if (!vars.XAPI_LRS_URL) {
    return vars.XAPI_LRS_USERNAME || vars.XAPI_LRS_PASSWORD
      ? ['XAPI_LRS_USERNAME and XAPI_LRS_PASSWORD need XAPI_LRS_URL']
      : [];
  }
  const problems: string[] = [];
  if (!vars.XAPI_LRS_USERNAME || !vars.XAPI_LRS_PASSWORD) {
    problems.push('XAPI_LRS_USERNAME and XAPI_LRS_PASSWORD are required with XAPI_LRS_URL (basic auth)');
  }
  const problem = urlFormProblem(vars.XAPI_LRS_URL, vars.NODE_ENV === 'production');
  if (problem) problems.push(`XAPI_LRS_URL ${problem}`);
  return problems;
}
