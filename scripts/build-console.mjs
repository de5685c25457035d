// Builds the admin console (apps/console, React + Vite) into apps/console/dist, which the server serves at /_/.
// Outside dist/ on purpose: scripts/build.mjs swaps dist/ as a whole, and the console has its own life.
// Builds into a fresh folder and swaps it in, so a running server never serves a half-written console.
//   node scripts/build-console.mjs             build
//   node scripts/build-console.mjs --if-stale  build only when the output is missing or older than the sources
//   --no-typecheck                             skip `tsc -p apps/console` (the browser tests' quick rebuild)
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = path.join(repo, 'apps/console');
const out = path.join(consoleDir, 'dist');
const stamp = path.join(out, '.build-stamp');
const SOURCES = [
  path.join(consoleDir, 'src'),
  path.join(consoleDir, 'index.html'),
  path.join(consoleDir, 'public'),
  path.join(consoleDir, 'vite.config.ts'),
  path.join(repo, 'sdk/src'),
  path.join(repo, 'package-lock.json'),
];

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const entry of readdirSync(p)) max = Math.max(max, newest(path.join(p, entry)));
  return max;
}

/** Missing, older than its sources, or (when `typechecked` is asked for) built without the type check. */
export function consoleIsStale({ typechecked = false } = {}) {
  if (!existsSync(stamp) || !existsSync(path.join(out, 'index.html'))) return true;
  if (typechecked && !readFileSync(stamp, 'utf8').includes('typechecked')) return true;
  return Math.max(...SOURCES.map(newest)) > statSync(stamp).mtimeMs;
}

async function main() {
  const typecheck = !process.argv.includes('--no-typecheck');
  if (process.argv.includes('--if-stale') && !consoleIsStale({ typechecked: typecheck })) return;
  // Vite strips types without checking them; the console is outside the root tsconfig, so check it here.
  try {
    if (typecheck)
      execFileSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', consoleDir], {
        stdio: 'inherit',
      });
  } catch {
    console.error('Console build failed: type errors above (apps/console).');
    process.exitCode = 1;
    return;
  }
  const { build } = await import('vite');
  const staging = path.join(consoleDir, `dist.${process.pid}`);
  const started = new Date();
  rmSync(staging, { recursive: true, force: true });
  try {
    await build({
      configFile: path.join(consoleDir, 'vite.config.ts'),
      logLevel: process.env.CONSOLE_BUILD_QUIET === '1' ? 'error' : 'warn',
      build: { outDir: staging, emptyOutDir: true },
    });
    // Stamped with the start time: a source saved during the build makes the next --if-stale build again.
    writeFileSync(
      path.join(staging, '.build-stamp'),
      `${started.toISOString()} ${typecheck ? 'typechecked' : 'unchecked'}\n`,
    );
    utimesSync(path.join(staging, '.build-stamp'), started, started);
    const old = path.join(consoleDir, `dist.old.${process.pid}`);
    if (existsSync(out)) renameSync(out, old);
    renameSync(staging, out);
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    console.error(`Console build failed: ${err.message ?? err}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
