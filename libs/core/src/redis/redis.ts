import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis, RedisOptions } from 'ioredis';

/**
 * Options for request-path clients: commands fail at once while Redis is down (the caller answers
 * 503 REDIS_UNAVAILABLE) and the client reconnects by itself when it is back.
 */
export function redisOptions(extra: RedisOptions = {}): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: true,
    ...extra,
  };
}

export function createRedis(url: string, extra: RedisOptions = {}): Redis {
  const client = new Redis(url, redisOptions(extra));
  // Connection errors are reported through readiness and per-request 503s, not as crashes.
  client.on('error', () => undefined);
  return client;
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export interface RedisHandle {
  url: string;
  /** Stops the redis-server Plinth started itself; a no-op for an external Redis. */
  stop(): Promise<void>;
}

/**
 * Makes sure a Redis answers (DESIGN §1): the configured URL, or at the default address a
 * `redis-server` started by Plinth with its data in the data dir.
 */
export async function ensureRedis(opts: {
  url: string;
  explicit: boolean;
  dataDir: string;
  log: (m: string) => void;
  /** The program to start (tests name a missing one). */
  command?: string;
}): Promise<RedisHandle> {
  const none = { url: opts.url, stop: async () => undefined };
  if (await answers(opts.url)) return none;
  if (opts.explicit) {
    throw new Error(
      `Redis does not answer at REDIS_URL (${redact(opts.url)}). Start Redis there, or fix REDIS_URL. ` +
        'Plinth needs Redis for queues, rate limits and realtime.',
    );
  }
  const dir = path.resolve(opts.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = new URL(opts.url).port || '6379';
  opts.log(`No Redis answers at ${opts.url}; starting redis-server with its data in ${dir}`);
  const child = spawn(
    opts.command ?? 'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      port,
      '--dir',
      dir,
      '--save',
      '900 1',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  let gone = false;
  const failed = new Promise<Error>((resolve) => {
    child.once('error', (err) => ((gone = true), resolve(err)));
    child.once(
      'exit',
      (code) => ((gone = true), resolve(new Error(`redis-server exited with code ${code}`))),
    );
  });
  const started = (async () => {
    for (let i = 0; i < 50 && !gone; i++) {
      if (await answers(opts.url)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  })();
  const outcome = await Promise.race([started, failed]);
  if (outcome !== true) {
    child.kill('SIGKILL');
    const message = outcome === false ? 'it did not answer within 5 s' : String((outcome as Error).message);
    const why = /ENOENT/.test(message) ? 'redis-server is not installed' : message;
    throw new Error(
      `Plinth needs Redis and none answers at ${opts.url} (${why}). Install it (Debian/Ubuntu: apt-get install redis-server; ` +
        'macOS: brew install redis) or set REDIS_URL to a running Redis.',
    );
  }
  return {
    url: opts.url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // Redis refuses SIGTERM when its final save fails (e.g. the data dir is gone): then kill it.
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
