import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * PocketBase's own test data (issue 19, MIT licence beside it): PLINTH_PB_FIXTURE, else the copy in
 * `test/fixtures/pocketbase-testdata` (so a clean clone has it), else `../shared/fixtures/...`.
 */
export function pocketbaseFixtureDir(): string {
  const candidates = [
    process.env.PLINTH_PB_FIXTURE,
    join(ROOT, 'test/fixtures/pocketbase-testdata'),
    join(ROOT, '../shared/fixtures/pocketbase-testdata'),
    join(ROOT, '../../shared/fixtures/pocketbase-testdata'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(join(p, 'data.db')));
  if (!found) throw new Error(`PocketBase test data not found; looked in ${candidates.join(', ')}`);
  return found;
}
