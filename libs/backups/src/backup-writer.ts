import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectNotFound, type StorageDriver } from '@plinth/storage';
import yazl from 'yazl';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  fileEntry,
  MANIFEST_ENTRY,
  tableEntry,
  type BackupManifest,
  type ManifestFile,
  type ManifestTable,
} from './backup-manifest.js';
import type { Snapshot } from './backups.repository.js';

export interface BackupProgress {
  stage: 'tables' | 'files' | 'done';
  done: number;
  total: number;
}

type Write = (chunk: Buffer) => Promise<void>;

/**
 * Writes one archive from a snapshot, streamed (a batch of rows or a file chunk at a time): every
 * table as NDJSON, every file the snapshot's records reference, and the manifest last with each
 * entry's row count, size and SHA-256. Files missing from storage are listed in `missingFiles`.
 */
export async function writeBackup(
  snapshot: Snapshot,
  files: StorageDriver,
  out: Writable,
  meta: { plinthVersion: string; created: Date },
  progress: (p: BackupProgress) => void,
): Promise<BackupManifest & { missingFiles: string[] }> {
  const zip = new yazl.ZipFile();
  const written = pipeline(zip.outputStream, out);
  // A failed write ends the pipeline; the entries below must not wait for a drain that never comes.
  let failed: Error | undefined;
  written.catch((err: Error) => (failed = err));

  const entry = async (name: string, compress: boolean, produce: (write: Write) => Promise<void>) => {
    const pass = new PassThrough();
    const hash = createHash('sha256');
    let size = 0;
    zip.addReadStream(pass, name, { compress, mtime: meta.created });
    const write: Write = async (chunk) => {
      if (failed) throw failed;
      hash.update(chunk);
      size += chunk.length;
      if (!pass.write(chunk)) await Promise.race([once(pass, 'drain'), written]);
    };
    try {
      await produce(write);
    } catch (err) {
      pass.destroy(err as Error);
      throw err;
    }
    pass.end();
    return { size, sha256: hash.digest('hex') };
  };

  try {
    const migration = await snapshot.latestMigration();
    const tables: ManifestTable[] = [];
    const list = await snapshot.tables();
    for (const [i, table] of list.entries()) {
      progress({ stage: 'tables', done: i, total: list.length });
      let rows = 0;
      const name = tableEntry(table.schema, table.name);
      const { size, sha256 } = await entry(name, true, async (write) => {
        for await (const batch of snapshot.rows(table)) {
          rows += batch.length;
          await write(Buffer.from(batch.join('\n') + '\n'));
        }
      });
      tables.push({
        schema: table.schema,
        name: table.name,
        entry: name,
        columns: table.columns,
        rows,
        size,
        sha256,
      });
    }

    const keys: string[] = [];
    for (const collection of await snapshot.fileColumns())
      for await (const batch of snapshot.fileKeys(collection)) keys.push(...batch);
    const manifestFiles: ManifestFile[] = [];
    const missingFiles: string[] = [];
    for (const [i, key] of [...new Set(keys)].sort().entries()) {
      progress({ stage: 'files', done: i, total: keys.length });
      let body;
      try {
        body = await files.get(key);
      } catch (err) {
        if (!(err instanceof ObjectNotFound)) throw err;
        missingFiles.push(key);
        continue;
      }
      const name = fileEntry(key);
      // Files are mostly compressed already (images, archives): stored as they are.
      const { size, sha256 } = await entry(name, false, async (write) => {
        for await (const chunk of body) await write(chunk as Buffer);
      });
      manifestFiles.push({ key, entry: name, size, sha256 });
    }

    const manifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      plinthVersion: meta.plinthVersion,
      migration,
      created: meta.created.toISOString(),
      tables,
      files: manifestFiles,
      missingFiles,
    } satisfies BackupManifest & { missingFiles: string[] };
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 1)), MANIFEST_ENTRY, { mtime: meta.created });
    zip.end();
    await written;
    progress({ stage: 'done', done: 1, total: 1 });
    return manifest;
  } catch (err) {
    (zip.outputStream as unknown as { destroy(err: Error): void }).destroy(err as Error);
    await written.catch(() => undefined);
    throw err;
  }
}
