import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  binariesPackage,
  initdb,
  loadBinaries,
  runAs,
  startPostgres,
  type PostgresServer,
} from './postgres-process.js';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log: (message: string) => void;
}

const DATABASE = 'plinth';
const USER = 'plinth';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function cmdline(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8')
    .then((s) => s.replace(/\0/g, ' '))
    .catch(() => '');
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/**
 * A PostgreSQL server under `<dataDir>/pg`, for `npm start` without DATABASE_URL. Initialised on the
 * first start only; a server or postmaster.pid left behind by a crashed Plinth is stopped or
 * removed before starting; listens on 127.0.0.1 only, with a generated password kept in the data dir.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const root = path.resolve(opts.dataDir);
  const pgDir = path.join(root, 'pg');
  const passwordFile = path.join(root, 'pg-password');
  await mkdir(root, { recursive: true, mode: 0o755 });
  // The platform's binaries, run by Plinth itself: no signal handlers are installed for them, so
  // Plinth alone decides how it shuts down (grace period, then stop()).
  const bin = await loadBinaries();

  await recoverFromCrash(pgDir, opts.log);
  if (process.getuid?.() === 0) await assertTraversable(root);

  if (!(await portFree(opts.port))) {
    throw new Error(
      `The embedded PostgreSQL cannot listen on 127.0.0.1:${opts.port}: the port is taken by another program. ` +
        'Set PLINTH_EMBEDDED_PG_PORT to a free port, or set DATABASE_URL to use your own PostgreSQL.',
    );
  }

  const firstStart = !existsSync(path.join(pgDir, 'PG_VERSION'));
  let password: string;
  if (firstStart) {
    password = randomBytes(24).toString('base64url');
    await rm(pgDir, { recursive: true, force: true });
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  } else {
    password = (await readFile(passwordFile, 'utf8').catch(() => '')).trim();
    if (!password) {
      throw new Error(
        `The embedded PostgreSQL in ${pgDir} exists but its password file ${passwordFile} is missing. ` +
          'Restore the file, or move the data dir away to start with a new, empty database.',
      );
    }
  }

  // As root, PostgreSQL must run as another OS user: `postgres` (created if missing).
  const as = await runAs();
  const log = opts.log;
  if (firstStart) {
    opts.log(`Creating a new PostgreSQL cluster in ${pgDir} (first start)`);
    await initdb(bin, { dataDir: pgDir, user: USER, password, as, log });
  }
  let server: PostgresServer;
  try {
    server = await startPostgres(bin, {
      dataDir: pgDir,
      port: opts.port,
      as,
      log,
      flags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
        // Sessions in UTC: record reads then take their fast path for timestamps (RECORD_TYPES).
        '-c',
        'timezone=UTC',
      ],
    });
  } catch {
    throw new Error(
      `The embedded PostgreSQL in ${pgDir} did not start; its log lines above say why. ` +
        'Set DATABASE_URL to use your own PostgreSQL instead.',
    );
  }

  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${DATABASE}`;
  if (firstStart) {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: opts.port,
      user: USER,
      password,
      database: 'postgres',
    });
    await client.connect();
    await client.query(`CREATE DATABASE ${DATABASE}`);
    await client.end();
  }
  return {
    url,
    stop: () => server.stop(),
  };
}

/**
 * As root, PostgreSQL runs as the OS user `postgres`, which must be able to enter every parent
 * of the data dir (and of node_modules, where its binaries live).
 */
async function assertTraversable(dir: string): Promise<void> {
  const binaries = path.dirname(fileURLToPath(import.meta.resolve(binariesPackage())));
  for (const start of [dir, binaries]) {
    for (let d = start; ; d = path.dirname(d)) {
      const { mode } = await stat(d);
      if ((mode & 0o001) === 0) {
        throw new Error(
          `Plinth runs as root, so its embedded PostgreSQL runs as the OS user "postgres", which cannot enter ${d}. ` +
            `Allow it (chmod o+x ${d}), choose another PLINTH_DATA_DIR, or set DATABASE_URL.`,
        );
      }
      if (d === path.dirname(d)) break;
    }
  }
}

/** Stops a PostgreSQL still running on `pgDir` after Plinth was killed, or removes its stale pid file. */
async function recoverFromCrash(pgDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  const content = await readFile(pidFile, 'utf8').catch(() => null);
  if (content === null) return;
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid) && (await cmdline(pid)).includes(pgDir)) {
    log(`A PostgreSQL (pid ${pid}) was left running on ${pgDir} by an earlier Plinth; stopping it first`);
    process.kill(pid, 'SIGINT');
    if (!(await waitFor(() => !processAlive(pid), 15000))) {
      process.kill(pid, 'SIGQUIT');
      await waitFor(() => !processAlive(pid), 5000);
    }
  }
  if (existsSync(pidFile)) {
    log(`Removing the stale ${pidFile} left by an earlier crash`);
    await rm(pidFile, { force: true });
  }
}
