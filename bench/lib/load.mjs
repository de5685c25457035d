// Runs one fixed-time load against 127.0.0.1 with wrk (when on PATH) or autocannon (fallback).
/* global clearTimeout */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LUA = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'wrk', 'bench.lua');

export function pickTool(wanted = 'auto') {
  if (wanted === 'wrk' || wanted === 'auto') {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' });
      return 'wrk';
    } catch (err) {
      // wrk --version exits 1 after printing its banner; ENOENT means it is not installed.
      if (err.code !== 'ENOENT') return 'wrk';
      if (wanted === 'wrk') {
        throw new Error('wrk is not on PATH (apt-get install -y wrk), or use --tool autocannon', {
          cause: err,
        });
      }
    }
  }
  return 'autocannon';
}

function assertLocal(base) {
  const host = new URL(base).hostname;
  if (!(host === 'localhost' || host === '[::1]' || /^127\./.test(host))) {
    throw new Error(`refusing to load ${base}: the bench only targets the loopback address`);
  }
}

/**
 * spec: { base, mode: get|list|create|update, path, idsFile?, authors?, auth?,
 *         connections, duration (s), threads, timeoutS }
 * → { requests, rps, p50Ms, p90Ms, p99Ms, maxMs, errors, errorDetail, seconds }
 */
export async function runLoad(tool, spec) {
  assertLocal(spec.base);
  return tool === 'wrk' ? runWrk(spec) : runAutocannon(spec);
}

function runWrk(spec) {
  const args = [
    '-t',
    String(spec.threads ?? 1),
    '-c',
    String(spec.connections),
    '-d',
    `${spec.duration}s`,
    '--timeout',
    `${spec.timeoutS ?? 10}s`,
    '-s',
    LUA,
    spec.base,
  ];
  const env = {
    ...process.env,
    BENCH_MODE: spec.mode,
    BENCH_PATH: spec.path,
    BENCH_IDS: spec.idsFile ?? '',
    BENCH_AUTHORS: (spec.authors ?? []).join(','),
    BENCH_AUTH: spec.auth ?? '',
  };
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // Hard bound: wrk stops itself after -d; this is the safety net.
    const killer = setTimeout(() => child.kill('SIGKILL'), (spec.duration + 30) * 1000);
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`wrk failed (exit ${code}): ${err || out}`.slice(0, 2000)));
        return;
      }
      const r = JSON.parse(line.slice('BENCH_RESULT '.length));
      const seconds = r.duration_us / 1e6;
      const errors = r.errors.connect + r.errors.read + r.errors.write + r.errors.status + r.errors.timeout;
      resolve({
        requests: r.requests,
        rps: r.requests / seconds,
        p50Ms: r.latency_us.p50 / 1000,
        p90Ms: r.latency_us.p90 / 1000,
        p99Ms: r.latency_us.p99 / 1000,
        maxMs: r.latency_us.max / 1000,
        errors,
        errorDetail: r.errors,
        seconds,
      });
    });
  });
}

async function runAutocannon(spec) {
  const { default: autocannon } = await import('autocannon');
  const ids = spec.idsFile ? readFileSync(spec.idsFile, 'utf8').split('\n').filter(Boolean) : [];
  const authors = spec.authors ?? [];
  const pick = (a) => a[Math.floor(Math.random() * a.length)];
  const headers = spec.auth ? { authorization: spec.auth } : {};
  const request = {
    method: 'GET',
    setupRequest(req) {
      if (spec.mode === 'get') return { ...req, method: 'GET', path: spec.path + pick(ids) };
      if (spec.mode === 'create') {
        return {
          ...req,
          method: 'POST',
          path: spec.path,
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({
            title: `bench create ${Math.floor(Math.random() * 1e9)}`,
            body: 'created during the load test',
            views: Math.floor(Math.random() * 1001),
            published: Math.random() < 0.5,
            author: pick(authors),
          }),
        };
      }
      if (spec.mode === 'update') {
        return {
          ...req,
          method: 'PATCH',
          path: spec.path + pick(ids),
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ views: Math.floor(Math.random() * 1001) }),
        };
      }
      return { ...req, method: 'GET', path: spec.path };
    },
  };
  const result = await new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: spec.base,
        connections: spec.connections,
        duration: spec.duration,
        timeout: spec.timeoutS ?? 10,
        headers,
        requests: [request],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    const killer = setTimeout(() => inst.stop(), (spec.duration + 30) * 1000);
    inst.on('done', () => clearTimeout(killer));
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors,
    errorDetail: { errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx },
    seconds: result.duration,
  };
}
