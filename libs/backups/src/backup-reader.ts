import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { AppError } from '@plinth/core';
import yauzl from 'yauzl';
import {
  entryNameProblem,
  MANIFEST_ENTRY,
  MANIFEST_MAX_BYTES,
  MAX_COMPRESSION_RATIO,
  parseManifest,
  type BackupManifest,
} from './backup-manifest.js';

/** A row longer than this is no row Plinth wrote (and would exhaust memory). */
const MAX_LINE_BYTES = 256 * 1024 * 1024;

const invalid = (why: string) =>
  new AppError(
    'BACKUP_INVALID',
    `This is not a usable Plinth backup: ${why}. Nothing was changed; use an archive made by "Create backup".`,
  );

/**
 * A backup archive opened for restoring: its directory read and checked (names, sizes, compression
 * ratios), its manifest parsed, and every entry's SHA-256 compared before anything is written.
 */
export class BackupArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    readonly manifest: BackupManifest,
  ) {}

  static async open(path: string): Promise<BackupArchive> {
    let zip: yauzl.ZipFile;
    try {
      zip = await new Promise<yauzl.ZipFile>((ok, fail) =>
        yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: true }, (err, z) =>
          err || !z ? fail(err ?? new Error('no zip')) : ok(z),
        ),
      );
    } catch (err) {
      throw invalid(`it is not a readable zip archive (${(err as Error).message})`);
    }
    try {
      const entries = await BackupArchive.directory(zip);
      const manifestEntry = entries.get(MANIFEST_ENTRY);
      if (!manifestEntry) throw invalid('it has no manifest.json');
      if (manifestEntry.uncompressedSize > MANIFEST_MAX_BYTES) throw invalid('its manifest is too large');
      const manifest = parseManifest((await readAll(await streamOf(zip, manifestEntry))).toString('utf8'));
      const listed = new Map<string, number>([
        ...manifest.tables.map((t) => [t.entry, t.size] as const),
        ...manifest.files.map((f) => [f.entry, f.size] as const),
      ]);
      for (const [name, e] of entries) {
        if (name === MANIFEST_ENTRY) continue;
        if (!listed.has(name)) throw invalid(`the entry "${name.slice(0, 200)}" is not in its manifest`);
        if (listed.get(name) !== e.uncompressedSize)
          throw invalid(`the entry "${name.slice(0, 200)}" does not have the size its manifest states`);
      }
      for (const name of listed.keys())
        if (!entries.has(name)) throw invalid(`the entry "${name.slice(0, 200)}" of its manifest is missing`);
      return new BackupArchive(zip, entries, manifest);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  /** Every entry of the central directory, each name and compression ratio checked. */
  private static async directory(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
    const entries = new Map<string, yauzl.Entry>();
    try {
      await new Promise<void>((ok, fail) => {
        zip.on('entry', (entry: yauzl.Entry) => {
          const name = entry.fileName;
          const problem = entryNameProblem(name);
          if (problem) return fail(invalid(problem));
          if (entries.has(name)) return fail(invalid(`it holds "${name.slice(0, 200)}" twice`));
          if (
            entry.uncompressedSize > 1024 * 1024 &&
            entry.uncompressedSize > entry.compressedSize * MAX_COMPRESSION_RATIO
          )
            return fail(
              invalid(
                `the entry "${name.slice(0, 200)}" inflates more than ${MAX_COMPRESSION_RATIO} times (a zip bomb)`,
              ),
            );
          entries.set(name, entry);
          zip.readEntry();
        });
        zip.once('end', ok);
        zip.once('error', fail);
        zip.readEntry();
      });
    } catch (err) {
      if (err instanceof AppError) throw err;
      // yauzl checks each name as it reads the directory: an absolute or `..` path stops it.
      throw invalid(`its directory cannot be read (${(err as Error).message})`);
    }
    return entries;
  }

  /** Reads every entry once and compares its SHA-256 with the manifest's (a corrupted or forged archive). */
  async verify(progress: (done: number, total: number) => void = () => undefined): Promise<void> {
    const all = [...this.manifest.tables, ...this.manifest.files];
    for (const [i, item] of all.entries()) {
      progress(i, all.length);
      const hash = createHash('sha256');
      try {
        for await (const chunk of await this.open(item.entry)) hash.update(chunk as Buffer);
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw invalid(`the entry "${item.entry.slice(0, 200)}" is damaged (${(err as Error).message})`);
      }
      if (hash.digest('hex') !== item.sha256)
        throw invalid(
          `the entry "${item.entry.slice(0, 200)}" does not match its checksum (the archive is corrupted)`,
        );
    }
  }

  /** The entry's bytes, inflated (yauzl checks the size and CRC as it reads). */
  open(name: string): Promise<Readable> {
    const entry = this.entries.get(name);
    if (!entry) throw invalid(`the entry "${name.slice(0, 200)}" is missing`);
    return streamOf(this.zip, entry);
  }

  /** A table entry's rows, a batch of JSON texts at a time. */
  async *rows(name: string, batch = 1000): AsyncGenerator<string[]> {
    const lines = createInterface({ input: await this.open(name), crlfDelay: Infinity });
    let out: string[] = [];
    for await (const line of lines) {
      if (!line) continue;
      if (line.length > MAX_LINE_BYTES) throw invalid(`a row of "${name.slice(0, 200)}" is too long`);
      out.push(line);
      if (out.length >= batch) {
        yield out;
        out = [];
      }
    }
    if (out.length) yield out;
  }

  close(): void {
    this.zip.close();
  }
}

const streamOf = (zip: yauzl.ZipFile, entry: yauzl.Entry) =>
  new Promise<Readable>((ok, fail) =>
    zip.openReadStream(entry, (err, stream) =>
      err || !stream ? fail(err ?? new Error('unreadable')) : ok(stream),
    ),
  );

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
