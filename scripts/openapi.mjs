// `npm run openapi`: writes the static API's OpenAPI 3.1 document to sdk/openapi.json (sorted, without
// collections: those are each app's own, see `plinth typegen`) and regenerates the SDK's types from it.
// Boots the built server on a throw-away data dir (embedded PostgreSQL unless DATABASE_URL is set).
/* global fetch */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'plinth-openapi-'));
// An embedded PostgreSQL started as root runs as the OS user postgres, which must enter the dir.
chmodSync(dataDir, 0o755);
const child = spawn(process.execPath, [path.join(root, 'dist/apps/server/main.js')], {
  cwd: root,
  env: {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PLINTH_DATA_DIR: dataDir,
    PLINTH_REDIS_PREFIX: `plinth-openapi-${process.pid}`,
    PLINTH_EMBEDDED_PG_PORT: String(port + 1),
    PLINTH_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stop = () =>
  new Promise((resolve) =>
    child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')),
  );

try {
  const deadline = Date.now() + 60_000;
  let doc;
  while (!doc) {
    if (child.exitCode !== null)
      throw new Error('The server stopped before it was ready; see its output above.');
    if (Date.now() > deadline) throw new Error('The server did not answer within 60 s.');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/openapi.json?collections=none`);
      if (res.ok) doc = await res.json();
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  writeFileSync(path.join(root, 'sdk/openapi.json'), JSON.stringify(doc, null, 2) + '\n');
  console.log(`Wrote sdk/openapi.json (${Object.keys(doc.paths).length} paths).`);
} finally {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
}
execFileSync(process.execPath, [path.join(root, 'scripts/build-sdk.mjs')], { stdio: 'inherit', cwd: root });
