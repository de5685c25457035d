// Builds @plinth/sdk into sdk/dist: ESM with the `plinth` CLI (esm/), CommonJS (cjs/, marked by its own
// package.json) and declarations (types/), with the root's TypeScript. Builds into a fresh folder and
// swaps it in, so a test using sdk/dist never sees a half-written one.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const sdk = path.join(root, 'sdk');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const staging = path.join(sdk, `dist.${process.pid}`);
const run = (config, ...args) =>
  execFileSync(process.execPath, [tsc, '-p', path.join(sdk, config), ...args], {
    stdio: 'inherit',
    cwd: root,
  });

/**
 * The types of the static API (`ApiPaths`, `ApiComponents`, `ApiOperations`) come from sdk/openapi.json
 * (written by `npm run openapi`) through openapi-typescript; the file is rewritten only when it changes.
 */
function generateApiTypes() {
  const spec = path.join(sdk, 'openapi.json');
  if (!existsSync(spec)) return;
  const target = path.join(sdk, 'src/generated/openapi.ts');
  // openapi-typescript keys `operations` by operationId: a repeated one would not compile.
  const doc = JSON.parse(readFileSync(spec, 'utf8'));
  const seen = new Set();
  const repeated = new Set();
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item ?? {})) {
      const id = op && typeof op === 'object' ? op.operationId : undefined;
      if (typeof id !== 'string') continue;
      if (seen.has(id)) repeated.add(id);
      seen.add(id);
    }
  }
  if (repeated.size) {
    console.warn(
      `build-sdk: sdk/openapi.json repeats operationIds (${[...repeated].join(', ')}); ` +
        'keeping the previous sdk/src/generated/openapi.ts. Give each controller method a unique name.',
    );
    return;
  }
  const tmp = path.join(os.tmpdir(), `plinth-openapi-${process.pid}.ts`);
  try {
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/openapi-typescript/bin/cli.js'), spec, '-o', tmp],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/prettier/bin/prettier.cjs'),
        '--config',
        path.join(root, '.prettierrc.json'),
        '--write',
        tmp,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const text = readFileSync(tmp, 'utf8');
    if (!existsSync(target) || readFileSync(target, 'utf8') !== text) writeFileSync(target, text);
  } finally {
    rmSync(tmp, { force: true });
  }
}

// `--if-stale`: build only when sdk/dist is missing or older than its sources (what `npm test` and the
// SDK tests ask for, so test files running side by side never rebuild it under each other).
const stamp = path.join(sdk, 'dist/.build-stamp');
const SOURCES = [
  'src',
  'openapi.json',
  'package.json',
  'tsconfig.json',
  'tsconfig.esm.json',
  'tsconfig.cjs.json',
];
function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const entry of readdirSync(p)) max = Math.max(max, newest(path.join(p, entry)));
  return max;
}
const stale = () =>
  !existsSync(stamp) || Math.max(...SOURCES.map((f) => newest(path.join(sdk, f)))) > statSync(stamp).mtimeMs;
if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
const started = new Date();

rmSync(staging, { recursive: true, force: true });
try {
  generateApiTypes();
  // ESM with the CLI (Node types allowed) and the declarations; then CommonJS of the library alone,
  // whose config has no Node types, so a node:* import in the library fails the build.
  run(
    'tsconfig.esm.json',
    '--outDir',
    path.join(staging, 'esm'),
    '--declarationDir',
    path.join(staging, 'types'),
  );
  run('tsconfig.cjs.json', '--outDir', path.join(staging, 'cjs'));
  mkdirSync(path.join(staging, 'cjs'), { recursive: true });
  writeFileSync(path.join(staging, 'cjs/package.json'), '{ "type": "commonjs" }\n');
  chmodSync(path.join(staging, 'esm/cli/main.js'), 0o755);
  // Stamped with the start time: a source saved during the build makes the next --if-stale build again.
  writeFileSync(path.join(staging, '.build-stamp'), `${started.toISOString()}\n`);
  utimesSync(path.join(staging, '.build-stamp'), started, started);
  const dist = path.join(sdk, 'dist');
  const old = path.join(sdk, `dist.old.${process.pid}`);
  try {
    renameSync(dist, old);
  } catch {
    // no dist yet
  }
  renameSync(staging, dist);
  rmSync(old, { recursive: true, force: true });
} catch (err) {
  rmSync(staging, { recursive: true, force: true });
  process.exitCode = 1;
  console.error(`build-sdk: ${err.message ?? err}`);
}
