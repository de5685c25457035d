import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { AppError } from '@plinth/core';
import { LocalDriver } from './drivers/local.driver.js';
import type { StorageDriver } from './drivers/storage-driver.js';

/**
 * Uploads of a write whose rule is still to be judged: streamed into a private temp directory (never
 * the storage), then copied into storage once the rule allowed the write, or dropped when it did not.
 */
export class HeldUploads {
  private spool?: Promise<LocalDriver>;
  private readonly types = new Map<string, string>();
  private readonly logger = new Logger('Files');

  /** The driver file parts are written to while the form is read (created on the first file). */
  driver(): Promise<StorageDriver> {
    this.spool ??= mkdtemp(join(tmpdir(), 'plinth-upload-')).then((root) => new LocalDriver(root));
    return this.spool;
  }

  /** Remembers the content type of a held object, for its copy into storage. */
  held(key: string, contentType: string): void {
    this.types.set(key, contentType);
  }

  /** Copies every held object into `target` under the same key, then drops the temp copies. */
  async storeInto(target: StorageDriver, stored: string[]): Promise<void> {
    if (!this.spool) return;
    const spool = await this.spool;
    for (const [key, contentType] of this.types) {
      try {
        await target.put(key, await spool.get(key), { contentType });
      } catch (err) {
        this.logger.error(`Storing the held upload ${key} failed: ${(err as Error).message}`);
        throw new AppError(
          'STORAGE_UNAVAILABLE',
          'The file storage did not accept an upload. Nothing was stored; try again, and if it persists an admin should check the storage settings.',
          { headers: { 'retry-after': '5' } },
        );
      }
      stored.push(key);
    }
    await this.release();
  }

  /** Deletes the temp copies. Never throws. */
  async release(): Promise<void> {
    const spool = this.spool;
    this.spool = undefined;
    this.types.clear();
    if (!spool) return;
    const { root } = await spool;
    await rm(root, { recursive: true, force: true }).catch((err: Error) =>
      this.logger.error(`Deleting the temp uploads in ${root} failed: ${err.message}`),
    );
  }
}
