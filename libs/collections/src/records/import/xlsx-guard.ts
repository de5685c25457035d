import { open as openFile } from 'node:fs/promises';
import { AppError } from '@plinth/core';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { invalidFile } from './import-sources.js';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const DESCRIPTOR = 0x08074b50;

/**
 * Checks an XLSX (a zip) before the spreadsheet reader unpacks it, so a zip bomb is a 400 and not a
 * full disk or memory: every entry is inflated once with its bytes counted (yauzl checks them
 * against the declared sizes), the total bounded by `maxUnpacked`; and the local entries, which a
 * streaming reader walks, must be exactly those of the central directory (no hidden entries).
 */
export async function checkXlsx(path: string, maxUnpacked: number): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      yauzl.open(path, { lazyEntries: true, validateEntrySizes: true, autoClose: false }, (err, z) =>
        err ? reject(err) : resolve(z),
      ),
    );
  } catch (err) {
    throw invalidFile(`The file is not an XLSX workbook (${(err as Error).message.slice(0, 200)}).`);
  }
  const entries: Entry[] = [];
  // An error between two reads surfaces at the next one (nextEntry listens then).
  zip.on('error', () => undefined);
  try {
    let unpacked = 0;
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) break;
      entries.push(entry);
      if (entries.length > 10_000) throw invalidFile('The XLSX file holds more than 10,000 entries.');
      unpacked += entry.uncompressedSize;
      if (unpacked > maxUnpacked) throw tooLarge(maxUnpacked);
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
      );
      let counted = unpacked - entry.uncompressedSize;
      for await (const chunk of stream) {
        counted += (chunk as Buffer).length;
        if (counted > maxUnpacked) {
          (stream as unknown as { destroy(): void }).destroy();
          throw tooLarge(maxUnpacked);
        }
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalidFile(
      `The XLSX file is damaged (${(err as Error).message.slice(0, 200)}). Save it again as .xlsx.`,
    );
  } finally {
    zip.close();
  }
  await checkLocalEntries(path, entries);
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const off = () => zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
    const onEntry = (e: Entry) => {
      off();
      resolve(e);
    };
    const onEnd = () => {
      off();
      resolve(undefined);
    };
    const onError = (err: Error) => {
      off();
      reject(err);
    };
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

function tooLarge(max: number): Error {
  return invalidFile(
    `The XLSX file unpacks to more than ${max} bytes, the most an import reads (8 × PLINTH_IMPORT_MAX_BYTES). ` +
      'Split it, or import it as CSV.',
  );
}

/** Walks the local headers from the start as a streaming unzip does; they must match the directory. */
async function checkLocalEntries(path: string, entries: Entry[]): Promise<void> {
  const byOffset = new Map(entries.map((e) => [e.relativeOffsetOfLocalHeader, e]));
  const file = await openFile(path, 'r');
  try {
    const buf = Buffer.alloc(30);
    let pos = 0;
    let walked = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, 30, pos);
      if (bytesRead < 4) throw hidden();
      const sig = buf.readUInt32LE(0);
      if (sig === CENTRAL_HEADER && walked === entries.length) return;
      const entry = byOffset.get(pos);
      if (sig !== LOCAL_HEADER || !entry || bytesRead < 30) throw hidden();
      walked++;
      const flags = buf.readUInt16LE(6);
      pos += 30 + buf.readUInt16LE(26) + buf.readUInt16LE(28) + entry.compressedSize;
      if (flags & 8) {
        const { bytesRead: n } = await file.read(buf, 0, 4, pos);
        const zip64 = entry.compressedSize >= 0xffffffff || entry.uncompressedSize >= 0xffffffff;
        const body = zip64 ? 20 : 12;
        pos += n === 4 && buf.readUInt32LE(0) === DESCRIPTOR ? body + 4 : body;
      }
    }
  } finally {
    await file.close();
  }
}

function hidden(): Error {
  return invalidFile(
    'The XLSX file is damaged: its entries do not match its directory. Save it again as .xlsx.',
  );
}
