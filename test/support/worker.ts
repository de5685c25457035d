import { eventually, freePort, spawnBuilt, testRedisUrl, type Spawned } from '@plinth/testing';
import { TEST_SECRET } from './start-app.js';

export interface TestWorker extends Spawned {
  /** The worker's health and metrics server. */
  url: string;
  /** SIGTERM, then waits for the exit (a no-op when it has ended). */
  stop(): Promise<void>;
}

/**
 * Spawns the built worker (`dist/apps/worker/main.js`) on a test database and Redis prefix and waits
 * until its health answers; `env` adds to or overrides the defaults.
 */
export async function startWorker(opts: {
  databaseUrl: string;
  redisPrefix: string;
  env?: Record<string, string>;
}): Promise<TestWorker> {
  const port = await freePort();
  const worker = spawnBuilt('worker', {
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: testRedisUrl(),
    PLINTH_REDIS_PREFIX: opts.redisPrefix,
    PLINTH_SECRET: TEST_SECRET,
    PLINTH_WORKER_PORT: String(port),
    // As in startApp: the local stand-ins for SMTP, FCM and APNs listen on 127.0.0.1.
    PLINTH_ALLOW_PRIVATE_ENDPOINTS: 'true',
    LOG_LEVEL: 'warn',
    ...opts.env,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  };
  try {
    await eventually(async () => {
      if (worker.child.exitCode !== null) throw new Error(`the worker exited:\n${worker.output()}`);
      return (await fetch(`${url}/health`).catch(() => null))?.status === 200;
    }, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { ...worker, url, stop };
}
