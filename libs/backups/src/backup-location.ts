import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AppError } from '@plinth/core';
import { BACKUP_NAME } from './backup-manifest.js';

export interface BackupInfo {
  name: string;
  size: number;
  created: string;
}

/**
 * Where archives are kept: a directory (by default `<data dir>/backups`). An archive being written is
 * a `.part` file renamed into place at the end, so a listed archive is always whole.
 */
export class BackupLocation {
  constructor(readonly dir: string) {}

  async list(): Promise<BackupInfo[]> {
    await mkdir(this.dir, { recursive: true });
    const out: BackupInfo[] = [];
    for (const name of await readdir(this.dir)) {
      if (!BACKUP_NAME.test(name)) continue;
      const s = await stat(join(this.dir, name)).catch(() => null);
      if (s?.isFile()) out.push({ name, size: s.size, created: s.mtime.toISOString() });
    }
    return out.sort((a, b) => b.created.localeCompare(a.created) || b.name.localeCompare(a.name));
  }

  /** The archive's path; 404 BACKUP_NOT_FOUND when there is none of that name. */
  async path(name: string): Promise<string> {
    const path = this.pathOf(name);
    const s = await stat(path).catch(() => null);
    if (!s?.isFile())
      throw new AppError('BACKUP_NOT_FOUND', `There is no backup named "${name.slice(0, 200)}".`);
    return path;
  }

  async exists(name: string): Promise<boolean> {
    return (await stat(this.pathOf(name)).catch(() => null)) !== null;
  }

  async read(name: string): Promise<{ body: Readable; size: number }> {
    const path = await this.path(name);
    return { body: createReadStream(path), size: (await stat(path)).size };
  }

  /** Writes an archive through `produce`; nothing is listed unless it finished. */
  async write<T>(name: string, produce: (out: Writable) => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    const target = this.pathOf(name);
    const part = `${target}.part`;
    try {
      const result = await produce(createWriteStream(part, { flags: 'wx', mode: 0o600 }));
      await rename(part, target);
      return result;
    } catch (err) {
      await rm(part, { force: true });
      throw err;
    }
  }

  async delete(name: string): Promise<void> {
    await rm(await this.path(name));
  }

  private pathOf(name: string): string {
    if (!BACKUP_NAME.test(name))
      throw new AppError('BACKUP_NOT_FOUND', `There is no backup named "${name.slice(0, 200)}".`);
    return join(this.dir, name);
  }
}
