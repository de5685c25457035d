// The hosting bench: static file requests per second from a Plinth deploy against @fastify/static on
// the same files (issue 24: Plinth at least 0.9x). Run:
// `npm run bench -- --hosting [--duration 10] [--connections 32] [--tool auto|wrk|autocannon]`.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMMON_USAGE, logger, openBench, parseBenchArgs, runIfMain } from './lib/one-server.mjs';
import { pickTool, runLoad } from './lib/load.mjs';
import { freePort, ROOT, startServer } from './lib/servers.mjs';

const USAGE = `Usage: npm run bench -- --hosting [options]

  --duration S        seconds of load per file and server (default 10)
  --connections N     concurrent connections (default 32)
  --tool T            auto | wrk | autocannon (default auto)
  --min-ratio R       Plinth's req/s must be at least R x the baseline's (default 0.9)
${COMMON_USAGE}`;

const log = logger('hosting');

/** A small built SPA: an HTML page, a hashed script and stylesheet, an image. */
function writeSite(dir) {
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  const files = {
    'index.html':
      '<!doctype html><html><head><link rel="stylesheet" href="/assets/app-3f2a9c1b.css"></head><body><div id="root"></div><script type="module" src="/assets/app-BXk2f9aQ.js"></script></body></html>',
    'assets/app-BXk2f9aQ.js': 'export const x = "' + randomBytes(24 * 1024).toString('hex') + '";\n',
    'assets/app-3f2a9c1b.css': 'body{margin:0}\n'.repeat(600),
    'assets/logo-9c1b3f2a.png': randomBytes(20 * 1024),
  };
  for (const [p, data] of Object.entries(files)) writeFileSync(path.join(dir, p), data);
  return Object.keys(files);
}

export async function runHostingBench(argv = process.argv.slice(2)) {
  const o = parseBenchArgs(argv, {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    tool: { type: 'string', default: 'auto' },
    'min-ratio': { type: 'string', default: '0.9' },
  });
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const duration = Number(o.duration);
  const connections = Number(o.connections);
  const minRatio = Number(o['min-ratio']);
  const tool = pickTool(o.tool);
  const bench = openBench('hosting', log);
  try {
    await bench.prepare(o['plinth-dist']);
    const site = path.join(bench.work, 'site');
    const files = writeSite(site);
    const env = bench.env();
    const { app, token } = await bench.start(env, 'hosting-bench@example.com');
    const dist = path.dirname(path.dirname(path.dirname(app.child.spawnargs.at(-1))));
    log(`deploying ${files.length} files with the CLI`);
    execFileSync(
      process.execPath,
      [path.join(dist, 'apps/server/cli.js'), 'deploy', site, '--url', app.base, '--key', token],
      {
        stdio: 'inherit',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    const baseline = await startServer({
      name: '@fastify/static',
      args: [path.join(ROOT, 'bench/static-baseline.mjs')],
      env: { BENCH_STATIC_ROOT: site },
      port: await freePort(),
      logFile: path.join(bench.work, 'baseline.log'),
    });
    const rows = [];
    for (const file of files) {
      const url = '/' + (file === 'index.html' ? '' : file);
      const result = {};
      for (const [name, base] of [
        ['plinth', app.base],
        ['baseline', baseline.base],
      ]) {
        const r = await runLoad(tool, { base, mode: 'list', path: url, connections, duration, threads: 1 });
        result[name] = r;
        log(
          `${name.padEnd(8)} ${url.padEnd(28)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99Ms.toFixed(1)} ms  errors ${r.errors}`,
        );
      }
      rows.push({
        path: url,
        plinth: result.plinth,
        baseline: result.baseline,
        ratio: result.plinth.rps / result.baseline.rps,
      });
    }
    await baseline.stop();
    const checks = rows.map((r) => [
      `${r.path}: ${r.ratio.toFixed(2)}x of @fastify/static (>= ${minRatio})`,
      r.ratio >= minRatio && r.plinth.errors === 0,
    ]);
    return bench.finish(checks, { tool, duration, connections, rows }, !o['no-write']);
  } finally {
    await bench.close();
  }
}

runIfMain(import.meta.url, 'hosting', runHostingBench);
