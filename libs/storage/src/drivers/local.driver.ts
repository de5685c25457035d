import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertSafeKey,
  type ByteRange,
  type ObjectInfo,
  ObjectNotFound,
  type StorageDriver,
} from './storage-driver.js';

const TMP = '.tmp';

/**
 * Files under a local directory (`<data dir>/storage`). Writes go to `.tmp/` first and are renamed
 * into place once complete, so a reader never sees half a file and a failed write leaves nothing.
 */
export class LocalDriver implements StorageDriver {
  readonly name = 'local' as const;

  constructor(readonly root: string) {}

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/').filter(Boolean));
  }

  async put(key: string, body: Readable, _opts: { contentType: string }): Promise<void> {
    const target = this.path(key);
    const tmpDir = join(this.root, TMP);
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    try {
      await pipeline(body, createWriteStream(tmp, { flags: 'wx', mode: 0o640 }));
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.path(key);
    const info = await this.head(key);
    if (!info) throw new ObjectNotFound(key);
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const s = await stat(this.path(key));
      if (!s.isFile()) return null;
      return {
        size: s.size,
        etag: `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`,
        modified: s.mtime,
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(keys: string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const path = this.path(key);
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      dirs.add(dirname(path));
    }
    // Empty directories left behind (a record's, a thumbnail set's) are pruned up to the root.
    for (const dir of dirs) await this.prune(dir);
  }

  private async prune(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root + sep) && current !== this.root) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      current = dirname(current);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const start = prefix ? this.path(prefix) : this.root;
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) {
          if (dir === this.root && e.name === TMP) continue;
          await walk(full);
        } else if (e.isFile()) out.push(relative(this.root, full).split(sep).join('/'));
      }
    };
    await walk(start);
    return out.sort();
  }

  close(): void {}
}
