// Builds, starts and stops the servers under test, measuring cold start to ready and idle RSS.
/* global performance, fetch, AbortSignal */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { rssBytes } from './procstat.mjs';

/** The repository's root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The Plinth build a bench runs: `dist` (its --plinth-dist) as it is, else a fresh private build in
 * node_modules/.cache/<cache>/dist (scripts/build.mjs empties dist/, which other runs in this tree may be
 * using). With `allowTypeErrors` a build whose type check fails still runs when it emitted the server.
 */
export function buildPlinth({ dist, cache, allowTypeErrors = false, log }) {
  if (dist) return path.resolve(dist);
  const out = path.join(ROOT, 'node_modules', '.cache', cache, 'dist');
  rmSync(out, { recursive: true, force: true });
  const node = (bin, args) => execFileSync(process.execPath, [bin, ...args], { cwd: ROOT, stdio: 'inherit' });
  try {
    node('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json', '--outDir', out]);
  } catch (err) {
    if (!allowTypeErrors) throw err;
    // Type errors still emit JavaScript; go on when the entry point was written.
    statSync(path.join(out, 'apps/server/main.js'));
    log('the build reported type errors; running the JavaScript it emitted');
  }
  node('node_modules/tsc-alias/dist/bin/index.js', [
    '-p',
    'tsconfig.build.json',
    '--outDir',
    out,
    '--resolve-full-paths',
  ]);
  return out;
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const live = new Set();

/** Kills every server this bench started (on exit, errors, Ctrl-C). */
export function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
}
process.on('exit', killAll);

async function waitReady(url, child, limitMs) {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - t0;
    } catch {
      /* not listening yet */
    }
    await sleep(10);
  }
  throw new Error(`${url} did not answer 200 within ${limitMs} ms`);
}

/**
 * Spawns `node args…` with env, waits for GET /api/ready → 200.
 * → { name, child, pid, base, coldStartMs, idleRss, stop() }
 */
export async function startServer({
  name,
  args,
  env,
  port,
  logFile,
  settleMs = 1000,
  readyLimitMs = 60_000,
}) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const base = `http://127.0.0.1:${port}`;
  let coldStartMs;
  try {
    await waitReady(`${base}/api/ready`, child, readyLimitMs);
    coldStartMs = performance.now() - t0;
  } catch (err) {
    child.kill('SIGKILL');
    live.delete(child);
    throw new Error(`${name} did not start: ${err.message} (log: ${logFile})`, { cause: err });
  }
  await sleep(settleMs);
  const idleRss = rssBytes(child.pid);
  return {
    name,
    child,
    pid: child.pid,
    base,
    coldStartMs,
    idleRss,
    async stop() {
      if (child.exitCode !== null) {
        live.delete(child);
        return;
      }
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
      live.delete(child);
      log.end();
    },
  };
}
