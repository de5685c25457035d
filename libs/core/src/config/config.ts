import { availableParallelism } from 'node:os';
import { envSchema } from './config.schema.js';
import type { TrustProxy } from './trust-proxy.js';

export interface PlinthConfig {
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    publicUrl: string;
    /** True when PUBLIC_URL set it; false: the default http://localhost:<PORT>. */
    publicUrlExplicit: boolean;
    bodyLimit: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    trustProxy: TrustProxy;
    corsOrigins: string[] | '*';
    shutdownGraceMs: number;
  };
  /** Unset: Plinth starts an embedded PostgreSQL under the data dir. */
  databaseUrl?: string;
  embeddedPgPort: number;
  redis: { url: string; explicit: boolean; prefix: string };
  dataDir: string;
  /** Unset only outside production; the runtime then generates and keeps one in the data dir. */
  secret?: string;
  workers: { mode: 'inline' | 'off'; healthPort: number };
  log: { level: string; format: 'json' | 'pretty' };
  auth: {
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** An admin session's absolute lifetime since sign-in; auth-refresh renews only within it. */
    adminSessionTtlSeconds: number;
    /** Failed sign-ins per account per 5 minutes before it is refused for a while. */
    maxFailuresPerAccount: number;
    /** Auth requests per IP per minute. */
    ratePerIp: number;
    /** Failed credentials (unknown API keys, bad or expired tokens) per IP per minute before 429. */
    badCredentialsPerIp: number;
    /** How long a replica reuses a loaded auth record (and so may miss another replica's revocation). */
    recordCacheMs: number;
  };
  maintenance: {
    cleanupEverySeconds: number;
    /** How often `stats.rollup` folds the request log and tables into the statistics. */
    statsEverySeconds: number;
    pushSweepEverySeconds: number;
    webhooksSweepEverySeconds: number;
  };
  mail: {
    /** smtp:// or smtps:// with credentials; unset: mails are logged instead of sent. */
    smtpUrl?: string;
    from: string;
    /** Names the app in mails. */
    appName: string;
    /** True when PLINTH_APP_NAME set it; false: the default "Plinth". */
    appNameExplicit: boolean;
    /** The app's own site: the account pages (/_/account/…) end with a link back to it. */
    appUrl?: string;
  };
  /**
   * Social sign-in defaults from the environment, per provider: a provider listed in an auth
   * collection's options.oauth2 without its own clientId, clientSecret (or, for oidc, issuer) uses these.
   */
  oauth2: Record<OAuth2EnvProvider, OAuth2EnvDefaults>;
  /** Hosting: a folder served at the site prefix straight from disk instead of the active deploy. */
  hosting: { publicDir?: string };
  /** Defaults of the "storage" settings section (files of file fields). */
  storage: {
    driver: 'local' | 's3';
    s3: {
      endpoint?: string;
      bucket?: string;
      region: string;
      accessKeyId?: string;
      secretAccessKey?: string;
      forcePathStyle: boolean;
    };
  };
  /**
   * Accept admin-configured outbound endpoints (OIDC issuer and URLs, S3 endpoint, SMTP host, FCM/APNs
   * endpoints) on private or loopback addresses (local development against local services).
   */
  allowPrivateEndpoints: boolean;
  push: {
    /** Accept Web Push endpoints on private addresses or plain http (development and tests only). */
    allowPrivateEndpoints: boolean;
    /** Sends per delivery before it is a dead letter. */
    maxAttempts: number;
    /** First retry delay; doubled per attempt (a provider's Retry-After wins when longer). */
    retryDelayMs: number;
    /** A delivery left "sending" this long (its worker died) is sent again. */
    leaseMs: number;
    /** Sends in flight per worker process, over all its jobs. */
    concurrency: number;
  };
  webhooks: {
    /** Accept webhook endpoints on private or loopback addresses (local receivers in development). */
    allowPrivateEndpoints: boolean;
    /** Delay before each retry, in ms: the first retry waits [0], and so on; after the last, a dead letter. */
    retryScheduleMs: number[];
    /** Failed attempts in a row (no success between) after which a webhook is disabled. */
    disableAfter: number;
    /** The whole request, answer included. */
    timeoutMs: number;
  };
  /** Request logs (issue 23). */
  logs: {
    /** `errors` keeps only answers with status 400 and above; `off` keeps nothing. */
    mode: 'all' | 'errors' | 'off';
    /** Share (0..1) of non-error requests kept; errors are always kept. */
    sample: number;
    /** Entries older than this are deleted by `maintenance.cleanup`. */
    retentionDays: number;
  };
  /** The audit trail: entries older than this many days are deleted by `maintenance.cleanup`. */
  audit: { retentionDays: number };
  thumbs: {
    /** Largest source image (width × height) decoded for a thumbnail; a larger one serves the original. */
    maxPixels: number;
    /** Thumbnail decodes at once per process. */
    concurrency: number;
  };
  realtime: {
    /** Open SSE connections per client IP, per replica. */
    maxPerIp: number;
    /** Topics per connection. */
    maxSubscriptions: number;
    heartbeatMs: number;
    /** A connection without subscriptions for this long is closed. */
    idleTimeoutMs: number;
    /** How long a dropped client's id and subscriptions can be resumed. */
    resumeWindowMs: number;
  };
  /** PostgreSQL connections of one process (issue 16). */
  database: {
    /** Connections for record requests; list queries hold at most half of them at once. */
    poolSize: number;
    /** Connections kept apart for sign-in, tokens, schema changes, settings and jobs. */
    systemPoolSize: number;
    /** The longest one SQL statement of a record request may run (503 QUERY_TIMEOUT beyond). */
    statementTimeoutMs: number;
  };
  /** Limits of the records API against abuse (issue 16). */
  limits: {
    /** page × perPage of a list at most. */
    listMaxDepth: number;
    /** Expanded records in one answer, each repetition counted. */
    expandBudget: number;
    /** Records created in auth collections (sign-ups) per IP per minute, batches included. */
    signupsPerIpPerMinute: number;
    /** /api/batch requests per IP per minute. */
    batchesPerIpPerMinute: number;
    /** /api/batch requests of one IP running at once on one server. */
    batchConcurrencyPerIp: number;
    /** The largest file a records import takes, in bytes (an XLSX's content may unpack to 8× that). */
    importMaxBytes: number;
    /** Rows in one records import at most. */
    importMaxRows: number;
  };
}

export type OAuth2EnvProvider = 'google' | 'github' | 'oidc';

export interface OAuth2EnvDefaults {
  clientId?: string;
  clientSecret?: string;
  /** google and github: the provider's own endpoints when unset. */
  authUrl?: string;
  tokenUrl?: string;
  userInfoUrl?: string;
  /** oidc only. */
  issuer?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Plinth cannot start: the configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nFix these environment variables (see docker/example.env) and start again.',
    );
    this.name = 'ConfigError';
  }
}

/**
 * Example secrets shipped in docker/compose.yml, docker/example.env and the docs (and their kin):
 * a server signing tokens with one of them in production is open to anyone who read the docs.
 */
const PLACEHOLDER_SECRET = /^(change[-_ ]?me|replace[-_ ]?me|your[-_ ]?secret|secret[-_ ]?here)/i;

function isPlaceholderSecret(secret: string): boolean {
  return PLACEHOLDER_SECRET.test(secret.trim());
}

/** Turns the environment into a typed config; throws one ConfigError listing every bad key. */
export function loadConfig(source: Record<string, string | undefined>): PlinthConfig {
  // An empty variable means "not set", as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '');
        const given = key in cleaned && !/SECRET|URL/.test(key) ? ` (got "${cleaned[key]}")` : '';
        return `${key} ${i.message}${given}`;
      });
  // Checked apart from the schema so it is reported together with every other bad key.
  if (cleaned.NODE_ENV === 'production' && !cleaned.PLINTH_SECRET) {
    problems.push('PLINTH_SECRET is required in production (generate one with: openssl rand -base64 48)');
  } else if (cleaned.NODE_ENV === 'production' && isPlaceholderSecret(cleaned.PLINTH_SECRET!)) {
    problems.push(
      'PLINTH_SECRET is a placeholder from the examples, which anyone can read to forge tokens: ' +
        'set a random one (openssl rand -base64 48)',
    );
  }
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  const origins = e.CORS_ORIGINS.trim();
  return {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
      publicUrlExplicit: e.PUBLIC_URL !== undefined,
      bodyLimit: e.PLINTH_BODY_LIMIT,
      requestTimeoutMs: e.PLINTH_REQUEST_TIMEOUT * 1000,
      keepAliveTimeoutMs: e.PLINTH_KEEP_ALIVE_TIMEOUT * 1000,
      trustProxy: e.PLINTH_TRUST_PROXY,
      corsOrigins:
        origins === '*'
          ? '*'
          : origins
              .split(',')
              .map((o) => o.trim())
              .filter(Boolean),
      shutdownGraceMs: Math.round(e.PLINTH_SHUTDOWN_GRACE * 1000),
    },
    databaseUrl: e.DATABASE_URL,
    embeddedPgPort: e.PLINTH_EMBEDDED_PG_PORT,
    redis: {
      url: e.REDIS_URL ?? 'redis://127.0.0.1:6379',
      explicit: e.REDIS_URL !== undefined,
      prefix: e.PLINTH_REDIS_PREFIX,
    },
    dataDir: e.PLINTH_DATA_DIR,
    secret: e.PLINTH_SECRET,
    workers: { mode: e.PLINTH_WORKERS, healthPort: e.PLINTH_WORKER_PORT },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty') },
    auth: {
      accessTokenTtlSeconds: e.PLINTH_ACCESS_TOKEN_TTL,
      refreshTokenTtlSeconds: e.PLINTH_REFRESH_TOKEN_TTL,
      adminSessionTtlSeconds: e.PLINTH_ADMIN_SESSION_TTL,
      maxFailuresPerAccount: e.PLINTH_AUTH_MAX_FAILURES,
      ratePerIp: e.PLINTH_AUTH_RATE_PER_IP,
      badCredentialsPerIp: e.PLINTH_BAD_CREDENTIALS_PER_IP,
      recordCacheMs: e.PLINTH_AUTH_RECORD_CACHE_MS,
    },
    maintenance: {
      cleanupEverySeconds: e.PLINTH_CLEANUP_EVERY,
      statsEverySeconds: e.PLINTH_STATS_EVERY,
      pushSweepEverySeconds: e.PLINTH_PUSH_SWEEP_EVERY,
      webhooksSweepEverySeconds: e.PLINTH_WEBHOOKS_SWEEP_EVERY,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.SMTP_FROM,
      appName: e.PLINTH_APP_NAME,
      appNameExplicit: cleaned.PLINTH_APP_NAME !== undefined,
      appUrl: e.PLINTH_APP_URL,
    },
    hosting: { publicDir: e.PLINTH_PUBLIC_DIR },
    storage: {
      driver: e.PLINTH_STORAGE_DRIVER,
      s3: {
        endpoint: e.PLINTH_S3_ENDPOINT,
        bucket: e.PLINTH_S3_BUCKET,
        region: e.PLINTH_S3_REGION,
        accessKeyId: e.PLINTH_S3_ACCESS_KEY_ID,
        secretAccessKey: e.PLINTH_S3_SECRET_ACCESS_KEY,
        forcePathStyle: e.PLINTH_S3_FORCE_PATH_STYLE,
      },
    },
    oauth2: {
      google: {
        clientId: e.PLINTH_OAUTH2_GOOGLE_CLIENT_ID,
        clientSecret: e.PLINTH_OAUTH2_GOOGLE_CLIENT_SECRET,
        authUrl: e.PLINTH_OAUTH2_GOOGLE_AUTH_URL,
        tokenUrl: e.PLINTH_OAUTH2_GOOGLE_TOKEN_URL,
        userInfoUrl: e.PLINTH_OAUTH2_GOOGLE_USERINFO_URL,
      },
      github: {
        clientId: e.PLINTH_OAUTH2_GITHUB_CLIENT_ID,
        clientSecret: e.PLINTH_OAUTH2_GITHUB_CLIENT_SECRET,
        authUrl: e.PLINTH_OAUTH2_GITHUB_AUTH_URL,
        tokenUrl: e.PLINTH_OAUTH2_GITHUB_TOKEN_URL,
        userInfoUrl: e.PLINTH_OAUTH2_GITHUB_USERINFO_URL,
      },
      oidc: {
        clientId: e.PLINTH_OAUTH2_OIDC_CLIENT_ID,
        clientSecret: e.PLINTH_OAUTH2_OIDC_CLIENT_SECRET,
        issuer: e.PLINTH_OAUTH2_OIDC_ISSUER,
      },
    },
    allowPrivateEndpoints: e.PLINTH_ALLOW_PRIVATE_ENDPOINTS,
    push: {
      allowPrivateEndpoints: e.PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS,
      maxAttempts: e.PLINTH_PUSH_MAX_ATTEMPTS,
      retryDelayMs: Math.round(e.PLINTH_PUSH_RETRY_DELAY * 1000),
      leaseMs: Math.round(e.PLINTH_PUSH_LEASE * 1000),
      concurrency: e.PLINTH_PUSH_CONCURRENCY,
    },
    webhooks: {
      allowPrivateEndpoints: e.PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS,
      retryScheduleMs: e.PLINTH_WEBHOOKS_RETRY_SCHEDULE.split(',').map((v) => Math.round(Number(v) * 1000)),
      disableAfter: e.PLINTH_WEBHOOKS_DISABLE_AFTER,
      timeoutMs: Math.round(e.PLINTH_WEBHOOKS_TIMEOUT * 1000),
    },
    logs: {
      mode: e.PLINTH_LOGS,
      sample: e.PLINTH_LOGS_SAMPLE,
      retentionDays: e.PLINTH_LOGS_RETENTION_DAYS,
    },
    audit: { retentionDays: e.PLINTH_AUDIT_RETENTION_DAYS },
    thumbs: {
      maxPixels: e.PLINTH_THUMB_MAX_PIXELS,
      concurrency: e.PLINTH_THUMB_CONCURRENCY ?? availableParallelism(),
    },
    realtime: {
      maxPerIp: e.PLINTH_REALTIME_MAX_PER_IP,
      maxSubscriptions: e.PLINTH_REALTIME_MAX_SUBSCRIPTIONS,
      heartbeatMs: Math.round(e.PLINTH_REALTIME_HEARTBEAT * 1000),
      idleTimeoutMs: Math.round(e.PLINTH_REALTIME_IDLE_TIMEOUT * 1000),
      resumeWindowMs: Math.round(e.PLINTH_REALTIME_RESUME_WINDOW * 1000),
    },
    database: {
      poolSize: e.PLINTH_DB_POOL_SIZE,
      systemPoolSize: e.PLINTH_DB_SYSTEM_POOL_SIZE,
      statementTimeoutMs: Math.round(e.PLINTH_DB_STATEMENT_TIMEOUT * 1000),
    },
    limits: {
      listMaxDepth: e.PLINTH_LIST_MAX_DEPTH,
      expandBudget: e.PLINTH_EXPAND_BUDGET,
      signupsPerIpPerMinute: e.PLINTH_SIGNUP_RATE_PER_IP,
      batchesPerIpPerMinute: e.PLINTH_BATCH_RATE_PER_IP,
      batchConcurrencyPerIp: e.PLINTH_BATCH_CONCURRENCY_PER_IP,
      importMaxBytes: e.PLINTH_IMPORT_MAX_BYTES,
      importMaxRows: e.PLINTH_IMPORT_MAX_ROWS,
    },
  };
}
