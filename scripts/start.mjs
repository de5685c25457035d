// `npm start` (and `npm run plinth -- <command>`): builds when dist/ is missing or older than the
// sources, then runs the server (or the command line) in this same process, so signals reach it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const STAMP = 'dist/.build-stamp';
const SOURCES = ['apps', 'libs', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return /\.(spec|int-spec|e2e-spec)\.ts$/.test(p) ? 0 : s.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(p)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    max = Math.max(max, newest(path.join(p, entry)));
  }
  return max;
}

const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
if (!existsSync('dist/apps/server/main.js') || Math.max(...SOURCES.map(newest)) > built) {
  console.error('Building Plinth (dist/ is missing or older than the sources)...');
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  writeFileSync(STAMP, new Date().toISOString() + '\n');
}
// GET /api/sdk.tgz serves the built SDK: build it once if it is missing (`npm run build` rebuilds it).
if (!existsSync('sdk/dist/types/index.d.ts')) {
  execFileSync(process.execPath, ['scripts/build-sdk.mjs'], { stdio: 'inherit' });
}
// The admin console at /_/ has its own output (apps/console/dist) and staleness check.
execFileSync(process.execPath, ['scripts/build-console.mjs', '--if-stale'], { stdio: 'inherit' });

await import(process.argv[2] === 'cli' ? '../dist/apps/server/cli.js' : '../dist/apps/server/main.js');
