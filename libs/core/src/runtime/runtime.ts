import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { ConfigError, loadConfig, PlinthConfig } from '../config/config.js';
import { startEmbeddedPostgres } from '../database/embedded-postgres.js';
import { ensureRedis, redact } from '../redis/redis.js';

/** Config with everything resolved: a database URL, a reachable Redis, a secret. */
export interface ResolvedConfig extends PlinthConfig {
  databaseUrl: string;
  secret: string;
}

export interface Runtime {
  config: ResolvedConfig;
  embeddedDatabase: boolean;
  /** Stops what the runtime started (embedded PostgreSQL, redis-server) and frees the data dir. */
  stop(): Promise<void>;
}

/** The one place that reads process.env. */
export function configFromEnvironment(): PlinthConfig {
  return loadConfig(process.env);
}

export { ConfigError };

async function resolveSecret(config: PlinthConfig, log: PinoLogger): Promise<string> {
  if (config.secret) return config.secret;
  const file = path.resolve(config.dataDir, 'secret');
  const kept = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (kept.length >= 32) return kept;
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, secret + '\n', { mode: 0o600 });
  log.warn(
    `PLINTH_SECRET is not set: generated one and kept it in ${file}. Set PLINTH_SECRET before running in production; ` +
      'every replica must share it.',
  );
  return secret;
}

/** The pid of another live Plinth that owns the data dir, if any. */
async function otherOwner(dataDir: string): Promise<number | undefined> {
  const file = path.resolve(dataDir, 'plinth.pid');
  const other = Number.parseInt((await readFile(file, 'utf8').catch(() => '')).trim(), 10);
  if (!Number.isInteger(other) || other <= 0 || other === process.pid) return undefined;
  try {
    process.kill(other, 0);
    return (await readFile(`/proc/${other}/cmdline`, 'utf8').catch(() => '')).includes('node')
      ? other
      : undefined;
  } catch {
    return undefined;
  }
}

/** One Plinth per data dir: a second one would stop the first one's embedded PostgreSQL. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = path.resolve(dataDir, 'plinth.pid');
  const other = await otherOwner(dataDir);
  {
    if (other) {
      throw new Error(
        `Another Plinth (pid ${other}) is running with the data dir ${path.resolve(dataDir)}. ` +
          'Stop it first, or give this one its own PLINTH_DATA_DIR.',
      );
    }
  }
  await writeFile(file, String(process.pid) + '\n');
  return async () => {
    const owner = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (owner === String(process.pid)) await rm(file, { force: true });
  };
}

/**
 * Brings up what the process needs before Nest starts (DESIGN §1): data dir, secret, the embedded
 * PostgreSQL when DATABASE_URL is unset (server only), and a reachable Redis.
 */
export async function prepareRuntime(
  config: PlinthConfig,
  log: PinoLogger,
  role: 'server' | 'worker' | 'cli',
): Promise<Runtime> {
  await mkdir(config.dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log.error({ err }, 'Error while stopping'));
  };
  try {
    const secret = await resolveSecret(config, log);
    let databaseUrl = config.databaseUrl;
    let embeddedDatabase = false;
    if (!databaseUrl) {
      if (role === 'worker') {
        throw new Error(
          'A separate worker needs DATABASE_URL (the same one the servers use). The embedded PostgreSQL is for ' +
            'the single-process mode of npm start, where workers run inline.',
        );
      }
      const owner = role === 'cli' ? await otherOwner(config.dataDir) : undefined;
      if (owner) {
        // The command line talks to the embedded PostgreSQL of the Plinth that is running.
        const password = (await readFile(path.resolve(config.dataDir, 'pg-password'), 'utf8')).trim();
        const url = `postgres://plinth:${encodeURIComponent(password)}@127.0.0.1:${config.embeddedPgPort}/plinth`;
        const redis = await ensureRedis({
          url: config.redis.url,
          explicit: true,
          dataDir: config.dataDir,
          log: (m) => log.warn(m),
        });
        return { config: { ...config, databaseUrl: url, secret }, embeddedDatabase: true, stop: redis.stop };
      }
      stops.push(await lockDataDir(config.dataDir));
      const pgLog = log.child({ component: 'postgres' });
      const pg = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPgPort,
        log: (m) => pgLog.debug(m),
      });
      stops.push(pg.stop);
      databaseUrl = pg.url;
      embeddedDatabase = true;
      log.info(
        `Embedded PostgreSQL is running on 127.0.0.1:${config.embeddedPgPort} (data in ${path.resolve(config.dataDir, 'pg')})`,
      );
    }
    const redis = await ensureRedis({
      url: config.redis.url,
      explicit: config.redis.explicit,
      dataDir: config.dataDir,
      log: (m) => log.warn(m),
    });
    stops.push(redis.stop);
    log.debug(`Redis answers at ${redact(redis.url)}`);
    return { config: { ...config, databaseUrl, secret }, embeddedDatabase, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
