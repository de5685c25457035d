// The frame of the benches that measure one Plinth server (files-upload, push-webpush, realtime-clients):
// their common flags, a private build, a fresh database and Redis prefix, the server with a signed-in
// admin, the checks and result file, and the cleanup.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildPlinth, freePort, killAll, ROOT, startServer } from './servers.mjs';
import {
  api,
  createAdminWithCli,
  createDatabases,
  dropDatabases,
  expectOk,
  plinthEnv,
  removeRedisKeys,
} from './setup.mjs';

/** The usage lines of the flags every one-server bench takes (after its own). */
export const COMMON_USAGE = `  --plinth-dist DIR   run Plinth from this build (default: a private build in node_modules/.cache)
  --no-write          print only; write nothing to bench/results
`;

/** parseArgs over `argv` with the bench's own `options` and --plinth-dist, --no-write and --help. */
export function parseBenchArgs(argv, options) {
  return parseArgs({
    args: argv,
    options: {
      ...options,
      'plinth-dist': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values;
}

/** `[bench HH:MM:SS] msg` on stdout. */
export const logger = (bench) => (msg) =>
  process.stdout.write(`[${bench} ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/**
 * One run of bench `kind`: database and Redis prefix `plinth_bench_<kind>_<tag>`, a temp directory
 * `work` (the server's data in `dataDir`, its log in plinth.log). Call prepare(), start(), and close()
 * in a finally.
 */
export function openBench(kind, log) {
  const tag = `${Date.now().toString(36)}_${process.pid}`;
  const name = `plinth_bench_${kind}_${tag}`;
  const work = mkdtempSync(path.join(tmpdir(), `plinth-bench-${kind}-`));
  const dataDir = path.join(work, 'data');
  let dist;
  let app;
  return {
    tag,
    db: name,
    redisPrefix: name,
    work,
    dataDir,

    /** Builds Plinth (or takes --plinth-dist) and creates the database. */
    async prepare(plinthDist) {
      log(
        `building Plinth${plinthDist ? '' : ` (private build in node_modules/.cache/plinth-bench-${kind}/dist)`}`,
      );
      dist = buildPlinth({ dist: plinthDist, cache: `plinth-bench-${kind}`, allowTypeErrors: true, log });
      await createDatabases([name]);
    },

    /** The server's environment: plinthEnv() on this run's database, prefix and data dir, plus `extra`. */
    env(extra) {
      return plinthEnv({ db: name, redisPrefix: name, dataDir }, extra);
    },

    /** Starts the server with `env` on a free port, creates admin `email` with the CLI and signs it in. */
    async start(env, email) {
      app = await startServer({
        name: 'plinth',
        args: [path.join(dist, 'apps/server/main.js')],
        env,
        port: await freePort(),
        logFile: path.join(work, 'plinth.log'),
      });
      const password = `bench-${randomBytes(6).toString('hex')}`;
      await createAdminWithCli(path.join(dist, 'apps/server/cli.js'), env, email, password);
      const { token } = await expectOk(
        'admin sign-in',
        api(app.base, 'POST', '/api/admins/auth-with-password', { identity: email, password }),
      );
      return { app, token };
    },

    /**
     * Logs each `[what, pass]` check, writes `{at, ...result, checks}` to
     * bench/results/<kind>-<time>.json unless `write` is false; → the exit code (1 when a check failed).
     */
    finish(checks, result, write) {
      for (const [what, pass] of checks) log(`${pass ? 'PASS' : 'FAIL'}  ${what}`);
      const at = new Date().toISOString();
      if (write) {
        const dir = path.join(ROOT, 'bench', 'results');
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${kind}-${at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`);
        const full = { at, ...result, checks: Object.fromEntries(checks) };
        writeFileSync(file, JSON.stringify(full, null, 2) + '\n');
        log(`wrote ${path.relative(ROOT, file)}`);
      }
      return checks.every(([, pass]) => pass) ? 0 : 1;
    },

    /** Stops the server, then `afterStop` (the bench's own services), drops the database and Redis keys. */
    async close(afterStop) {
      await app?.stop().catch(() => undefined);
      killAll();
      await Promise.resolve()
        .then(afterStop)
        .catch(() => undefined);
      await dropDatabases([name]).catch((e) => log(`could not drop ${name}: ${e.message}`));
      await removeRedisKeys(name).catch((e) => log(`could not remove Redis keys: ${e.message}`));
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Runs `run()` and exits with its code when `moduleUrl` is the script node was started with. */
export function runIfMain(moduleUrl, kind, run) {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  run()
    .then((code) => process.exit(code))
    .catch((err) => {
      process.stderr.write(`\n${kind} bench failed: ${err.stack ?? err.message}\n`);
      process.exit(1);
    });
}
