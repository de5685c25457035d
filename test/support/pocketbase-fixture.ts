import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * PocketBase's own test data (issue 19): `../shared/fixtures/pocketbase-testdata` beside the checkout
 * (a worktree sits one level deeper, so its parents are tried too), or PLINTH_PB_FIXTURE.
 */
export function pocketbaseFixtureDir(): string {
  const candidates = [
    process.env.PLINTH_PB_FIXTURE,
    join(ROOT, '../shared/fixtures/pocketbase-testdata'),
    join(ROOT, '../../shared/fixtures/pocketbase-testdata'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(join(p, 'data.db')));
  if (!found) throw new Error(`PocketBase test data not found; looked in ${candidates.join(', ')}`);
  return found;
}
