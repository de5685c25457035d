import { z } from 'zod';
import { parseTrustProxy } from './trust-proxy.js';

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const positiveInt = (what: string) =>
  z.coerce
    .number({ message: `must be ${what}` })
    .int(`must be ${what}`)
    .positive(`must be ${what}`);

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}` },
  );

const seconds = z.coerce.number({ message: 'must be a number of seconds' }).positive();

/** A provider client id or secret (the limit is the one collection options have). */
const oauth2Value = z.string().trim().min(1).max(1000, 'must be at most 1000 characters').optional();

/**
 * Every environment variable Plinth reads. Each is documented in docker/example.env;
 * README.md carries the same table.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(8090),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  PLINTH_EMBEDDED_PG_PORT: port.default(54329),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  PLINTH_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits or _ . : -')
    .default('plinth'),
  PLINTH_DATA_DIR: z.string().min(1).default('./.plinth'),
  PLINTH_SECRET: z.string().min(32, 'must be at least 32 characters long').optional(),
  PLINTH_WORKERS: z.enum(['inline', 'off'], { message: 'must be inline or off' }).default('inline'),
  PLINTH_WORKER_PORT: port.default(8091),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { message: 'must be json or pretty' }).optional(),
  CORS_ORIGINS: z.string().default('*'),
  PLINTH_BODY_LIMIT: positiveInt('a number of bytes').default(1024 * 1024),
  PLINTH_REQUEST_TIMEOUT: positiveInt('a number of seconds').default(30),
  PLINTH_KEEP_ALIVE_TIMEOUT: positiveInt('a number of seconds').default(72),
  PLINTH_SHUTDOWN_GRACE: z.coerce.number({ message: 'must be a number of seconds' }).min(0).default(3),
  PLINTH_TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (typeof parsed !== 'string') return parsed;
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }),
  PLINTH_ACCESS_TOKEN_TTL: positiveInt('a number of seconds').default(900),
  PLINTH_REFRESH_TOKEN_TTL: positiveInt('a number of seconds').default(30 * 24 * 3600),
  PLINTH_ADMIN_SESSION_TTL: positiveInt('a number of seconds').default(24 * 3600),
  PLINTH_AUTH_MAX_FAILURES: positiveInt('a whole number').default(10),
  PLINTH_AUTH_RATE_PER_IP: positiveInt('a whole number').default(60),
  PLINTH_BAD_CREDENTIALS_PER_IP: positiveInt('a whole number').default(100),
  PLINTH_AUTH_RECORD_CACHE_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int()
    .min(0)
    .default(2000),
  PLINTH_CLEANUP_EVERY: positiveInt('a number of seconds').default(900),
  // Unset: mails are not sent but logged at warn level with their links (development).
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  SMTP_FROM: z
    .string()
    .regex(/@/, 'must be an address like Plinth <no-reply@example.com>')
    .default('Plinth <no-reply@localhost>'),
  PLINTH_APP_NAME: z.string().trim().min(1).max(100, 'must be at most 100 characters').default('Plinth'),
  PLINTH_APP_URL: url(['http:', 'https:']).optional(),
  // Social sign-in defaults: used for a provider of an auth collection whose own value is empty.
  PLINTH_OAUTH2_GOOGLE_CLIENT_ID: oauth2Value,
  PLINTH_OAUTH2_GOOGLE_CLIENT_SECRET: oauth2Value,
  PLINTH_OAUTH2_GOOGLE_AUTH_URL: url(['http:', 'https:']).optional(),
  PLINTH_OAUTH2_GOOGLE_TOKEN_URL: url(['http:', 'https:']).optional(),
  PLINTH_OAUTH2_GOOGLE_USERINFO_URL: url(['http:', 'https:']).optional(),
  PLINTH_OAUTH2_GITHUB_CLIENT_ID: oauth2Value,
  PLINTH_OAUTH2_GITHUB_CLIENT_SECRET: oauth2Value,
  PLINTH_OAUTH2_GITHUB_AUTH_URL: url(['http:', 'https:']).optional(),
  PLINTH_OAUTH2_GITHUB_TOKEN_URL: url(['http:', 'https:']).optional(),
  PLINTH_OAUTH2_GITHUB_USERINFO_URL: url(['http:', 'https:']).optional(),
  PLINTH_OAUTH2_OIDC_CLIENT_ID: oauth2Value,
  PLINTH_OAUTH2_OIDC_CLIENT_SECRET: oauth2Value,
  PLINTH_OAUTH2_OIDC_ISSUER: url(['http:', 'https:']).optional(),
  // File storage defaults; admins may change them at run time (PATCH /api/settings, section "storage").
  PLINTH_STORAGE_DRIVER: z.enum(['local', 's3'], { message: 'must be local or s3' }).default('local'),
  PLINTH_S3_ENDPOINT: url(['http:', 'https:']).optional(),
  PLINTH_S3_BUCKET: z.string().trim().min(1).max(255).optional(),
  PLINTH_S3_REGION: z.string().trim().min(1).max(64).default('us-east-1'),
  PLINTH_S3_ACCESS_KEY_ID: z.string().trim().min(1).max(1000).optional(),
  PLINTH_S3_SECRET_ACCESS_KEY: z.string().min(1).max(1000).optional(),
  PLINTH_S3_FORCE_PATH_STYLE: boolish.default(true),
  // Hosting: a folder served at / straight from disk (local development, like PocketBase's pb_public).
  PLINTH_PUBLIC_DIR: z.string().trim().min(1).optional(),
  // Admin-configured outbound URLs (OIDC, S3, SMTP, FCM/APNs endpoints) on private or loopback addresses.
  PLINTH_ALLOW_PRIVATE_ENDPOINTS: boolish.default(false),
  // Thumbnails (libs/storage): the largest source decoded (a larger one serves the original), decodes at once.
  PLINTH_THUMB_MAX_PIXELS: positiveInt('a whole number of pixels').default(25_000_000),
  PLINTH_THUMB_CONCURRENCY: positiveInt('a whole number').optional(),
  // Push (libs/push): delivery retries and the Web Push endpoint check.
  PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: boolish.default(false),
  PLINTH_PUSH_MAX_ATTEMPTS: positiveInt('a whole number').default(5),
  PLINTH_PUSH_RETRY_DELAY: z.coerce.number({ message: 'must be a number of seconds' }).positive().default(5),
  PLINTH_PUSH_LEASE: z.coerce.number({ message: 'must be a number of seconds' }).min(1).default(60),
  PLINTH_PUSH_SWEEP_EVERY: positiveInt('a number of seconds').default(60),
  PLINTH_PUSH_CONCURRENCY: positiveInt('a whole number').default(16),
  // Webhooks (libs/webhooks).
  PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: boolish.default(false),
  PLINTH_WEBHOOKS_RETRY_SCHEDULE: z
    .string()
    .regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, {
      message: 'must be a comma-separated list of seconds, e.g. 5,300,1800',
    })
    .default('5,300,1800,7200,18000,36000,36000'),
  PLINTH_WEBHOOKS_DISABLE_AFTER: positiveInt('a whole number').default(100),
  PLINTH_WEBHOOKS_TIMEOUT: seconds.default(10),
  PLINTH_WEBHOOKS_SWEEP_EVERY: positiveInt('a number of seconds').default(60),
  // Request logs (libs/logs): which requests are kept in plinth.request_log, and for how long.
  PLINTH_LOGS: z.enum(['all', 'errors', 'off'], { message: 'must be all, errors or off' }).default('all'),
  PLINTH_LOGS_SAMPLE: z.coerce
    .number({ message: 'must be a number from 0 to 1' })
    .min(0, 'must be a number from 0 to 1')
    .max(1, 'must be a number from 0 to 1')
    .default(1),
  PLINTH_LOGS_RETENTION_DAYS: positiveInt('a whole number of days').default(7),
  // Audit trail and statistics (libs/logs).
  PLINTH_AUDIT_RETENTION_DAYS: positiveInt('a whole number of days').default(90),
  PLINTH_STATS_EVERY: positiveInt('a number of seconds').default(60),
  // Realtime (libs/realtime): SSE limits.
  PLINTH_REALTIME_MAX_PER_IP: positiveInt('a whole number').default(1000),
  PLINTH_REALTIME_MAX_SUBSCRIPTIONS: positiveInt('a whole number').default(100),
  PLINTH_REALTIME_HEARTBEAT: seconds.default(25),
  PLINTH_REALTIME_IDLE_TIMEOUT: seconds.default(300),
  PLINTH_REALTIME_RESUME_WINDOW: seconds.default(60),
  // Record requests (issue 16): database pools, statement timeout, list, expand and write limits.
  PLINTH_DB_POOL_SIZE: positiveInt('a whole number').default(20),
  PLINTH_DB_SYSTEM_POOL_SIZE: positiveInt('a whole number').default(5),
  PLINTH_DB_STATEMENT_TIMEOUT: seconds.default(5),
  PLINTH_LIST_MAX_DEPTH: positiveInt('a whole number').default(100_000),
  PLINTH_EXPAND_BUDGET: positiveInt('a whole number').default(2000),
  PLINTH_SIGNUP_RATE_PER_IP: positiveInt('a whole number').default(20),
  PLINTH_BATCH_RATE_PER_IP: positiveInt('a whole number').default(60),
  PLINTH_IMPORT_MAX_BYTES: positiveInt('a number of bytes').default(100 * 1024 * 1024),
  PLINTH_IMPORT_MAX_ROWS: positiveInt('a whole number').default(100_000),
  PLINTH_BATCH_CONCURRENCY_PER_IP: positiveInt('a whole number').default(2),
});

export type Env = z.output<typeof envSchema>;
