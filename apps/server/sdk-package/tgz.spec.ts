import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packTgz, type TarFile } from './tgz.js';

const LONG = `dist/${'a'.repeat(60)}/${'b'.repeat(60)}/file.d.ts`;
const FILES: TarFile[] = [
  { path: 'package.json', data: Buffer.from('{"name":"x"}\n') },
  { path: 'dist/cli.js', data: Buffer.from('#!/usr/bin/env node\n'), executable: true },
  { path: LONG, data: Buffer.alloc(1300, 'x') },
  { path: 'empty.txt', data: Buffer.alloc(0) },
];

/** Lists and extracts with GNU tar, an independent reader. */
function withTar<T>(tgz: Buffer, read: (dir: string, file: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'plinth-tgz-'));
  try {
    const file = path.join(dir, 'p.tgz');
    writeFileSync(file, tgz);
    return read(dir, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('packTgz', () => {
  it('writes an archive tar reads back: every file under package/, with its bytes', () => {
    withTar(packTgz(FILES), (dir, file) => {
      execFileSync('tar', ['-xzf', file, '-C', dir]);
      for (const f of FILES) expect(readFileSync(path.join(dir, 'package', f.path))).toEqual(f.data);
    });
  });

  it('is reproducible: sorted entries, 1985-10-26 times, fixed modes and owners, no gzip time', () => {
    const a = packTgz(FILES);
    expect(packTgz([...FILES].reverse())).toEqual(a);
    // gzip's MTIME field (bytes 4..7) is zero.
    expect(a.readUInt32LE(4)).toBe(0);
    const listing = withTar(a, (_dir, file) =>
      execFileSync('tar', ['-tvzf', file, '--numeric-owner', '--full-time'], {
        env: { ...process.env, TZ: 'UTC' },
      }).toString(),
    );
    const lines = listing.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(-1)[0])).toEqual([
      `package/${LONG}`,
      'package/dist/cli.js',
      'package/empty.txt',
      'package/package.json',
    ]);
    for (const line of lines) expect(line).toMatch(/ 0\/0 .* 1985-10-26 08:15:00 /);
    expect(lines[1]).toMatch(/^-rwxr-xr-x /);
    expect(lines[3]).toMatch(/^-rw-r--r-- /);
  });

  it('changes when a byte of a file changes', () => {
    const changed = FILES.map((f) =>
      f.path === 'package.json' ? { ...f, data: Buffer.from('{"name":"y"}\n') } : f,
    );
    expect(packTgz(changed)).not.toEqual(packTgz(FILES));
    expect(gunzipSync(packTgz(FILES)).length % 512).toBe(0);
  });
});
