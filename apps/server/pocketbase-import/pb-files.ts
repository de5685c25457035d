import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageDriver } from '@plinth/storage';

/** A stored file of a PocketBase record: `storage/<collection id>/<record id>/<name>`. */
export interface PbFile {
  /** The collection's id in Plinth (its storage folder); PocketBase's folder is in `path`. */
  collectionId: string;
  recordId: string;
  name: string;
  path: string;
}

const SAFE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * The original files of the given collections. Thumbnails (`thumbs_*` folders) are left behind:
 * Plinth makes them anew; `.attrs` sidecars only lend their content type.
 */
export function listPbFiles(
  storageDir: string | null,
  collections: Array<{ pbId: string; id: string }>,
): PbFile[] {
  if (!storageDir) return [];
  const out: PbFile[] = [];
  for (const { pbId, id: collectionId } of collections) {
    const dir = join(storageDir, pbId);
    if (!existsSync(dir)) continue;
    for (const record of readdirSync(dir, { withFileTypes: true })) {
      if (!record.isDirectory() || !SAFE.test(record.name)) continue;
      for (const file of readdirSync(join(dir, record.name), { withFileTypes: true })) {
        if (!file.isFile() || file.name.endsWith('.attrs') || !SAFE.test(file.name)) continue;
        out.push({
          collectionId,
          recordId: record.name,
          name: file.name,
          path: join(dir, record.name, file.name),
        });
      }
    }
  }
  return out;
}

function contentTypeOf(path: string): string {
  try {
    const attrs = JSON.parse(readFileSync(`${path}.attrs`, 'utf8')) as Record<string, unknown>;
    const type = attrs['user.content_type'];
    if (typeof type === 'string' && /^[\w.+-]+\/[\w.+-]+/.test(type)) return type;
  } catch {
    // No sidecar: the default below.
  }
  return 'application/octet-stream';
}

export const storageKey = (f: PbFile) => `${f.collectionId}/${f.recordId}/${f.name}`;

/**
 * Copies the files into the configured storage under their stored names. On any failure the files
 * copied so far are deleted again and the error is thrown.
 */
export async function copyPbFiles(driver: StorageDriver, files: PbFile[]): Promise<string[]> {
  const copied: string[] = [];
  try {
    for (const f of files) {
      const key = storageKey(f);
      await driver.put(key, createReadStream(f.path), { contentType: contentTypeOf(f.path) });
      copied.push(key);
    }
    return copied;
  } catch (err) {
    await driver.delete(copied).catch(() => undefined);
    throw err;
  }
}
