import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  createRedisPrefix,
  eventually,
  GiveUp,
  freePort,
  processesMatching,
  spawnBuilt,
  type Spawned,
} from '@plinth/testing';
import pg from 'pg';

async function waitReady(url: string, proc: Spawned): Promise<void> {
  await eventually(
    async () => {
      if (proc.child.exitCode !== null) throw new GiveUp(`server exited early:\n${proc.output()}`);
      const res = await fetch(`${url}/api/ready`).catch(() => null);
      return res?.status === 200;
    },
    45_000,
    200,
  );
}

describe('npm start on an empty data dir: embedded PostgreSQL, restart, crash recovery, shutdown', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-boot-'));
  // mkdtemp makes it 0700; as root the embedded PostgreSQL runs as user postgres and must traverse it.
  chmodSync(dataDir, 0o755);
  const redis = createRedisPrefix();
  const running: Spawned[] = [];

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const pid of processesMatching(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    await redis.cleanup();
  });

  async function start(env: Record<string, string> = {}) {
    const port = await freePort();
    const proc = spawnBuilt('server', {
      PORT: String(port),
      PLINTH_DATA_DIR: dataDir,
      PLINTH_EMBEDDED_PG_PORT: String(pgPort),
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      PLINTH_REDIS_PREFIX: redis.prefix,
      PLINTH_SHUTDOWN_GRACE: '0.2',
      ...env,
    });
    running.push(proc);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, proc);
    return { proc, url };
  }

  let pgPort = 0;
  const pgClient = () => {
    const password = readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
    return new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'plinth', password, database: 'plinth' });
  };

  it('boots without DATABASE_URL, serves health, and exits 0 on SIGTERM leaving no PostgreSQL behind', async () => {
    pgPort = await freePort();
    const { proc, url } = await start();
    expect(await (await fetch(`${url}/api/health`)).json()).toEqual({ status: 'ok' });
    const ready = await (await fetch(`${url}/api/ready`)).json();
    expect(ready).toMatchObject({ checks: { postgres: 'ok', redis: 'ok' } });
    expect(processesMatching(path.join(dataDir, 'pg')).length).toBeGreaterThan(0);

    // Leave data behind to find again on the next start.
    const client = pgClient();
    await client.connect();
    await client.query('CREATE TABLE data.kept (note text)');
    await client.query("INSERT INTO data.kept VALUES ('still here')");
    await client.end();

    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    expect({ code, output: code === 0 ? '' : proc.output() }).toEqual({ code: 0, output: '' });
    expect(processesMatching(path.join(dataDir, 'pg'))).toEqual([]);
  });

  it('keeps the data on a second start of the same data dir', async () => {
    const { proc } = await start();
    const client = pgClient();
    await client.connect();
    const { rows } = await client.query('SELECT note FROM data.kept');
    await client.end();
    expect(rows).toEqual([{ note: 'still here' }]);
    const migrations = await (async () => {
      const c = pgClient();
      await c.connect();
      const r = await c.query('SELECT count(*)::int AS n FROM plinth.migrations');
      await c.end();
      return r.rows[0].n as number;
    })();
    expect(migrations).toBeGreaterThan(0);
    // Crash: SIGKILL leaves the embedded PostgreSQL running with its postmaster.pid.
    proc.child.kill('SIGKILL');
    await proc.exited;
    expect(processesMatching(path.join(dataDir, 'pg')).length).toBeGreaterThan(0);
  });

  it('recovers by itself after a crash left PostgreSQL and postmaster.pid behind', async () => {
    const { proc, url } = await start({ PLINTH_SHUTDOWN_GRACE: '6' });
    expect((await fetch(`${url}/api/ready`)).status).toBe(200);
    const client = pgClient();
    await client.connect();
    expect((await client.query('SELECT count(*)::int AS n FROM data.kept')).rows[0].n).toBe(1);
    await client.end();
    proc.child.kill('SIGTERM');
    // During the grace period: not ready (load balancers stop sending), but still serving.
    const draining = await eventually(
      async () => {
        const r = await fetch(`${url}/api/ready`);
        return r.status === 503 ? ((await r.json()) as { code: string }) : null;
      },
      5000,
      50,
    );
    expect(draining!.code).toBe('SHUTTING_DOWN');
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    expect((await proc.exited).code).toBe(0);
    expect(processesMatching(path.join(dataDir, 'pg'))).toEqual([]);
  });

  it('says clearly when the embedded PostgreSQL port is taken', async () => {
    const blocker = (await import('node:net')).createServer();
    const takenPort = await freePort();
    await new Promise<void>((r) => blocker.listen(takenPort, '127.0.0.1', () => r()));
    try {
      const proc = spawnBuilt('server', {
        PORT: String(await freePort()),
        PLINTH_DATA_DIR: dataDir,
        PLINTH_EMBEDDED_PG_PORT: String(takenPort),
        PLINTH_REDIS_PREFIX: redis.prefix,
      });
      running.push(proc);
      const { code } = await proc.exited;
      expect(code).toBe(1);
      expect(proc.output()).toContain(`127.0.0.1:${takenPort}`);
      expect(proc.output()).toContain('PLINTH_EMBEDDED_PG_PORT');
    } finally {
      blocker.close();
    }
  });
});

describe('configuration errors', () => {
  it('exits non-zero and names every bad key in one message', async () => {
    const proc = spawnBuilt('server', {
      PORT: 'eighty',
      PLINTH_WORKERS: 'sometimes',
      LOG_LEVEL: 'loud',
      NODE_ENV: 'production',
      DATABASE_URL: 'mysql://nope',
      PLINTH_SECRET: '',
    });
    const { code } = await proc.exited;
    const out = proc.output();
    expect(code).toBe(1);
    for (const key of ['PORT', 'PLINTH_WORKERS', 'LOG_LEVEL', 'DATABASE_URL', 'PLINTH_SECRET']) {
      expect(out).toContain(key);
    }
    expect(out).toMatch(/5 problems/);
  });
});
