import { gzipSync } from 'node:zlib';

/** One file of a package tarball; the path is relative to the package root. */
export interface TarFile {
  path: string;
  data: Buffer;
  executable?: boolean;
}

// npm's fixed timestamp for every entry (1985-10-26T08:15:00Z), so equal contents give equal bytes.
const MTIME = Date.UTC(1985, 9, 26, 8, 15, 0) / 1000;
const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** `package/<path>` into ustar's name (100 bytes) and prefix (155 bytes), split at a slash. */
function splitName(path: string): { name: string; prefix: string } {
  const full = `package/${path}`;
  if (Buffer.byteLength(full) <= 100) return { name: full, prefix: '' };
  for (let i = full.lastIndexOf('/'); i > 0; i = full.lastIndexOf('/', i - 1)) {
    const prefix = full.slice(0, i);
    const name = full.slice(i + 1);
    if (Buffer.byteLength(name) <= 100 && Buffer.byteLength(prefix) <= 155) return { name, prefix };
  }
  throw new Error(`tar: the path ${full} is too long for ustar`);
}

function header(file: TarFile): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { name, prefix } = splitName(file.path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(file.executable ? 0o755 : 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(file.data.length, 12), 124, 'ascii');
  h.write(octal(MTIME, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // the checksum counts its own field as spaces
  h.write('0', 156, 'ascii'); // a regular file
  h.write('ustar\u000000', 257, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/**
 * A gzip'd ustar archive of an npm package (every entry under `package/`), reproducible: entries sorted
 * by path, fixed times, modes and owners, and gzip without a name or time (Node writes neither).
 */
export function packTgz(files: readonly TarFile[]): Buffer {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  for (const file of sorted) {
    parts.push(header(file), file.data);
    const pad = (BLOCK - (file.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
