import { Injectable, Logger } from '@nestjs/common';
import { CollectionsService } from '@plinth/collections';
import { AppError, Maintenance, MIGRATIONS, PLINTH_VERSION } from '@plinth/core';
import { StorageService } from '@plinth/storage';
import type { EntityManager } from 'typeorm';
import { checkCompatible } from './backup-manifest.js';
import { BackupArchive } from './backup-reader.js';
import { BackupsRepository, type TableInfo } from './backups.repository.js';
import { BackupsService } from './backups.service.js';
import { loadOrder } from './load-order.js';

export interface RestoreReport {
  name: string;
  tables: number;
  rows: number;
  files: number;
}

/** PostgreSQL's refusal while rows were loaded, in the user's words (nothing was changed). */
function restoreFailure(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; table?: string; message?: string };
  if (typeof e.code === 'string' && /^(22|23|42)/.test(e.code))
    return new AppError(
      'BACKUP_INVALID',
      `This backup's data does not fit this install${e.table ? ` (table "${e.table}")` : ''}: ${String(e.message).slice(0, 300)}. Nothing was changed.`,
    );
  return err;
}

/**
 * Restores replace the whole install with an archive (docs/decisions/backups.md): checked first
 * (manifest, version, every checksum), then its files are stored, then every table is replaced in one
 * transaction, while every replica answers 503 MAINTENANCE; any failure leaves the install as it was.
 */
@Injectable()
export class RestoreService {
  private readonly logger = new Logger('Backups');

  constructor(
    private readonly backups: BackupsService,
    private readonly repository: BackupsRepository,
    private readonly storage: StorageService,
    private readonly collections: CollectionsService,
    private readonly maintenance: Maintenance,
  ) {}

  async restore(name: string): Promise<RestoreReport> {
    return this.restoreFile(await this.backups.location.path(name), name);
  }

  async restoreFile(path: string, label: string): Promise<RestoreReport> {
    return this.backups.exclusive(async () => {
      const archive = await BackupArchive.open(path);
      try {
        checkCompatible(archive.manifest, {
          plinthVersion: PLINTH_VERSION,
          migrations: MIGRATIONS.map((m) => m.name),
        });
        await archive.verify();
        const report = await this.maintenance.during(() => this.replace(archive, label));
        this.logger.log(`Restored backup ${label}: ${report.rows} rows, ${report.files} files`);
        return report;
      } finally {
        archive.close();
      }
    });
  }

  private async replace(archive: BackupArchive, label: string): Promise<RestoreReport> {
    const { manifest } = archive;
    const driver = await this.storage.driver();
    const before = this.collections.list().map((c) => c.id);
    const written: string[] = [];
    let rows = 0;
    try {
      // Stored files are immutable: one already under its key is the same file.
      for (const f of manifest.files) {
        if (await driver.head(f.key)) continue;
        await driver.put(f.key, await archive.open(f.entry), { contentType: 'application/octet-stream' });
        written.push(f.key);
      }
      await this.repository.transaction(async (tx) => {
        const system = await this.repository.systemTables(tx);
        await this.repository.clear(
          tx,
          system.map((t) => t.name),
        );
        const edges = await this.repository.systemForeignKeys(tx);
        for (const name of loadOrder(
          system.map((t) => t.name),
          edges,
        )) {
          const table = system.find((t) => t.name === name)!;
          rows += await this.load(tx, archive, table);
          await this.repository.resetSequences(tx, table);
        }
        await this.collections.rebuildTables(tx, async () => {
          for (const table of await this.repository.dataTables(tx))
            rows += await this.load(tx, archive, table);
        });
      });
    } catch (err) {
      if (written.length) await driver.delete(written).catch(() => undefined);
      throw restoreFailure(err);
    }
    await this.removeOrphans(before, new Set(manifest.files.map((f) => f.key)));
    return { name: label, tables: manifest.tables.length, rows, files: manifest.files.length };
  }

  /** Fills one table from its archive entry (columns the archive and the table share); rows loaded. */
  private async load(tx: EntityManager, archive: BackupArchive, table: TableInfo): Promise<number> {
    const archived = archive.manifest.tables.find((t) => t.schema === table.schema && t.name === table.name);
    if (!archived) return 0;
    const columns = archived.columns.filter((c) => table.columns.includes(c));
    let count = 0;
    for await (const batch of archive.rows(archived.entry)) {
      await this.repository.insertRows(tx, table, columns, batch);
      count += batch.length;
    }
    if (count !== archived.rows)
      throw new AppError(
        'BACKUP_INVALID',
        `This is not a usable Plinth backup: table "${table.name}" holds ${count} rows, its manifest says ${archived.rows}. Nothing was changed.`,
      );
    return count;
  }

  /** Files of the replaced install that the restored one does not hold (best effort, after the commit). */
  private async removeOrphans(collectionIds: string[], kept: Set<string>): Promise<void> {
    try {
      const driver = await this.storage.driver();
      for (const id of collectionIds) {
        const keys = await driver.list(`${id}/`);
        // A thumbnail lives beside its file: `<collection>/<record>/thumbs_<name>/<size>_<name>`.
        const orphans = keys.filter((k) => {
          if (kept.has(k)) return false;
          const thumb = /^(.+)\/thumbs_([^/]+)\/[^/]+$/.exec(k);
          return !(thumb && kept.has(`${thumb[1]}/${thumb[2]}`));
        });
        if (orphans.length) await driver.delete(orphans);
      }
    } catch (err) {
      this.logger.warn(`Some files of the replaced install could not be removed: ${(err as Error).message}`);
    }
  }
}
