// Starts and stops the two servers under test, measuring cold start to ready and idle RSS.
/* global performance, fetch, AbortSignal */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { rssBytes } from './procstat.mjs';

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
