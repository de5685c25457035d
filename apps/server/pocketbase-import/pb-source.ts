import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@plinth/core';
import yauzl from 'yauzl';

/** A PocketBase data directory ready to read: its `data.db` and (maybe) its `storage/` folder. */
export interface PbSource {
  dataDb: string;
  storageDir: string | null;
  /** Removes what opening it unpacked (a zip's temporary copy); a no-op for a directory. */
  dispose(): void;
}

const invalid = (detail: string) => new AppError('IMPORT_SOURCE_INVALID', detail);

/** A zip entry name that stays inside the folder it is unpacked into. */
export function safeEntryName(name: string): boolean {
  if (!name || name.length > 1024 || name.includes('\0') || name.includes('\\')) return false;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return false;
  return !name.split('/').some((part) => part === '..');
}

function fromDirectory(dir: string): PbSource {
  const dataDb = join(dir, 'data.db');
  if (!existsSync(dataDb) || !statSync(dataDb).isFile()) {
    throw invalid(
      `"${dir}" has no data.db: give the PocketBase data directory (pb_data) or a PocketBase backup .zip.`,
    );
  }
  const storage = join(dir, 'storage');
  return {
    dataDb,
    storageDir: existsSync(storage) && statSync(storage).isDirectory() ? storage : null,
    dispose: () => undefined,
  };
}

const openZip = (file: string) =>
  new Promise<yauzl.ZipFile>((ok, fail) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: true }, (err, zip) =>
      err || !zip ? fail(err ?? new Error('no zip')) : ok(zip),
    ),
  );

/** Every entry of the zip, read before anything is unpacked. */
async function entriesOf(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((ok, fail) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', ok);
    zip.once('error', fail);
    zip.readEntry();
  });
  return entries;
}

const streamOf = (zip: yauzl.ZipFile, entry: yauzl.Entry) =>
  new Promise<NodeJS.ReadableStream>((ok, fail) =>
    zip.openReadStream(entry, (err, stream) => (err || !stream ? fail(err) : ok(stream))),
  );

/**
 * A PocketBase backup zip (data.db and storage/ at its root, as PocketBase writes it), unpacked into a
 * temporary folder under `workDir`. Any entry that would land outside it refuses the whole zip before
 * a byte is written.
 */
async function fromZip(file: string, workDir: string): Promise<PbSource> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (err) {
    throw invalid(`"${file}" is not a readable zip file (${(err as Error).message}).`);
  }
  try {
    let entries: yauzl.Entry[];
    try {
      entries = await entriesOf(zip);
    } catch (err) {
      // yauzl checks each name as it reads the directory: a name leaving the folder stops it.
      const message = (err as Error).message;
      if (/invalid relative path|absolute path|invalid characters in fileName/.test(message))
        throw invalid(
          `The zip holds an entry that would be written outside its folder (${message}); nothing was imported. Use a backup made by PocketBase.`,
        );
      throw invalid(`"${file}" is not a readable zip file (${message}).`);
    }
    const unsafe = entries.find((e) => !safeEntryName(e.fileName));
    if (unsafe) {
      throw invalid(
        `The zip holds an entry that would be written outside its folder (${JSON.stringify(unsafe.fileName.slice(0, 200))}); nothing was imported. Use a backup made by PocketBase.`,
      );
    }
    if (!entries.some((e) => e.fileName === 'data.db')) {
      throw invalid(`The zip has no data.db at its root: it is not a PocketBase backup.`);
    }
    mkdirSync(workDir, { recursive: true });
    const root = mkdtempSync(join(workDir, 'pb-import-'));
    try {
      for (const entry of entries) {
        const target = resolve(root, entry.fileName);
        if (!target.startsWith(root + sep)) throw invalid(`Unsafe zip entry ${entry.fileName}`);
        if (entry.fileName.endsWith('/')) {
          mkdirSync(target, { recursive: true });
          continue;
        }
        mkdirSync(dirname(target), { recursive: true });
        await pipeline(await streamOf(zip, entry), createWriteStream(target));
      }
    } catch (err) {
      rmSync(root, { recursive: true, force: true });
      if (err instanceof AppError) throw err;
      throw invalid(`The zip could not be unpacked (${(err as Error).message}); nothing was imported.`);
    }
    const source = fromDirectory(root);
    return { ...source, dispose: () => rmSync(root, { recursive: true, force: true }) };
  } finally {
    zip.close();
  }
}

/** Opens a pb_data directory or a PocketBase backup zip (unpacked under `workDir`). */
export async function openPbSource(path: string, workDir: string): Promise<PbSource> {
  if (!existsSync(path)) throw invalid(`"${path}" does not exist.`);
  if (statSync(path).isDirectory()) return fromDirectory(path);
  return fromZip(path, workDir);
}
