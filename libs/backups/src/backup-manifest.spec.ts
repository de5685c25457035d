import { describe, expect, it } from '@jest/globals';
import { AppError } from '@plinth/core';
import {
  backupName,
  checkCompatible,
  compareVersions,
  entryNameProblem,
  parseManifest,
  uploadName,
} from './backup-manifest.js';
import { loadOrder } from './load-order.js';

const SHA = 'a'.repeat(64);
const manifest = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    format: 'plinth-backup',
    formatVersion: 1,
    plinthVersion: '0.1.0',
    migration: 'Init1764090000000',
    created: '2026-12-08T01:00:00.000Z',
    tables: [
      {
        schema: 'data',
        name: 'posts',
        entry: 'tables/data/posts.ndjson',
        columns: ['id', 'title'],
        rows: 2,
        size: 10,
        sha256: SHA,
      },
    ],
    files: [{ key: 'c/r/a.png', entry: 'files/c/r/a.png', size: 3, sha256: SHA }],
    ...over,
  });

const codeOf = (work: () => unknown): string => {
  try {
    work();
  } catch (err) {
    return err instanceof AppError ? err.code : `not an AppError: ${String(err)}`;
  }
  return 'no error';
};

describe('backup manifest', () => {
  it('parses a manifest Plinth writes', () => {
    const m = parseManifest(manifest());
    expect(m.tables[0]).toMatchObject({ schema: 'data', name: 'posts', rows: 2 });
    expect(m.files[0]!.key).toBe('c/r/a.png');
  });

  it.each([
    ['not JSON', '{'],
    ['another format', manifest({ format: 'zip' })],
    ['no version', manifest({ plinthVersion: 'x' })],
    ['a table outside the two schemas', manifest({ tables: [{ schema: 'public', name: 'x' }] })],
    [
      'a table whose entry is elsewhere',
      manifest({
        tables: [{ schema: 'data', name: 'p', entry: '../p', columns: [], rows: 0, size: 0, sha256: SHA }],
      }),
    ],
    [
      'a file key with ..',
      manifest({ files: [{ key: 'c/../x', entry: 'files/c/../x', size: 1, sha256: SHA }] }),
    ],
    [
      'an absolute file key',
      manifest({ files: [{ key: '/etc/passwd', entry: 'files//etc/passwd', size: 1, sha256: SHA }] }),
    ],
    ['a negative size', manifest({ files: [{ key: 'c/r/a', entry: 'files/c/r/a', size: -1, sha256: SHA }] })],
    ['a bad checksum', manifest({ files: [{ key: 'c/r/a', entry: 'files/c/r/a', size: 1, sha256: 'x' }] })],
  ])('refuses %s with 400 BACKUP_INVALID', (_what, text) => {
    expect(codeOf(() => parseManifest(text))).toBe('BACKUP_INVALID');
  });

  it('refuses a newer archive format with BACKUP_TOO_NEW', () => {
    expect(codeOf(() => parseManifest(manifest({ formatVersion: 2 })))).toBe('BACKUP_TOO_NEW');
  });

  it('names only entries Plinth writes', () => {
    expect(entryNameProblem('manifest.json')).toBeNull();
    expect(entryNameProblem('tables/plinth/admin.ndjson')).toBeNull();
    expect(entryNameProblem('files/c1/r1/a_b.png')).toBeNull();
    for (const bad of ['../x', '/etc/passwd', 'files/../x', 'files/c/./x', 'tables/public/x.ndjson', 'x.txt'])
      expect(entryNameProblem(bad)).not.toBeNull();
  });

  it('refuses archives from a newer Plinth or migration, takes older ones', () => {
    const here = { plinthVersion: '0.2.0', migrations: ['Init1764090000000', 'Later1800000000000'] };
    const m = (over: Record<string, unknown>) => parseManifest(manifest(over));
    expect(codeOf(() => checkCompatible(m({}), here))).toBe('no error');
    expect(codeOf(() => checkCompatible(m({ plinthVersion: '0.1.9' }), here))).toBe('no error');
    expect(codeOf(() => checkCompatible(m({ plinthVersion: '0.10.0' }), here))).toBe('BACKUP_TOO_NEW');
    expect(codeOf(() => checkCompatible(m({ migration: 'Next1900000000000' }), here))).toBe('BACKUP_TOO_NEW');
    expect(codeOf(() => checkCompatible(m({ migration: 'Other1770000000000' }), here))).toBe(
      'BACKUP_INVALID',
    );
  });

  it('compares versions numerically', () => {
    expect(compareVersions('0.10.0', '0.9.9')).toBe(1);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(0);
    expect(compareVersions('0.1.0', '0.2.0')).toBe(-1);
  });

  it('names backups by time and cleans uploaded names', () => {
    expect(backupName(new Date('2026-12-08T01:02:03.456Z'))).toBe('plinth-backup-20261208-010203.zip');
    expect(uploadName('../../My Backup.ZIP', new Date())).toBe('My_Backup.zip');
    expect(uploadName('..', new Date('2026-12-08T01:02:03Z'))).toBe('uploaded-20261208-010203.zip');
  });
});

describe('load order', () => {
  it('fills referenced tables first; a cycle keeps its given order at the end', () => {
    expect(
      loadOrder(
        ['push_delivery', 'push_message', 'push_device', 'admin'],
        [
          ['push_delivery', 'push_message'],
          ['push_delivery', 'push_device'],
        ],
      ),
    ).toEqual(['admin', 'push_device', 'push_message', 'push_delivery']);
    expect(
      loadOrder(
        ['a', 'b', 'c'],
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
      ),
    ).toEqual(['c', 'a', 'b']);
  });
});
