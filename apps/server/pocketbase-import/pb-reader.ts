import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AppError } from '@plinth/core';
import type { Database } from 'node-sqlite3-wasm';

/** A value as SQLite holds it (integers beyond 2^53 read as numbers, as PocketBase's float64 would). */
export type SqlValue = number | string | Uint8Array | null;
export type PbRow = Record<string, SqlValue>;

/** A row of PocketBase's `_collections` table, its JSON columns parsed. */
export interface PbCollection {
  id: string;
  name: string;
  type: 'base' | 'auth' | 'view';
  system: boolean;
  fields: Array<Record<string, unknown>>;
  indexes: string[];
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  options: Record<string, unknown>;
}

const invalid = (detail: string) => new AppError('IMPORT_SOURCE_INVALID', detail);

const SQLITE_MAGIC = 'SQLite format 3\0';

/** SQLite's page cache for the import: pages are read from the file as needed, never the whole file. */
const CACHE_KIB = 16 * 1024;

type SqliteModule = {
  Database: new (file: string, opts: { readOnly: boolean; fileMustExist: boolean }) => Database;
};
let sqlite: SqliteModule | undefined;
function loadSqlite(): SqliteModule {
  // SQLite compiled to WebAssembly with a file system layer over node:fs (no native build); loaded
  // on first use, so servers that never import do not instantiate it.
  sqlite ??= createRequire(import.meta.url)('node-sqlite3-wasm') as SqliteModule;
  return sqlite;
}

const parseJson = <T>(text: SqlValue, fallback: T): T => {
  if (typeof text !== 'string' || !text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

const plain = (row: Record<string, unknown>): PbRow => {
  for (const key of Object.keys(row)) if (typeof row[key] === 'bigint') row[key] = Number(row[key]);
  return row as PbRow;
};

/**
 * Reads a PocketBase `data.db` with node-sqlite3-wasm: SQLite compiled to WebAssembly, reading the
 * file page by page through node:fs, so memory is SQLite's page cache, not the file's size
 * (docs/decisions/pocketbase-import.md). Records are stepped one statement row at a time and handed
 * over in batches, so no table is ever materialised in JavaScript.
 */
export class PbReader {
  private constructor(private readonly db: Database) {}

  static async open(file: string): Promise<PbReader> {
    const size = statSync(file).size;
    const head = Buffer.alloc(100);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, head, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
    if (size < 512 || head.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
      throw invalid('data.db is not an SQLite database (wrong header); nothing was imported.');
    }
    // The header's page size × page count is the file's size; a shorter file was cut off.
    const pageSize = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16);
    const pages = head.readUInt32BE(28);
    if (pages > 0 && pageSize * pages > size) {
      throw invalid(
        `data.db is truncated (${size} of ${pageSize * pages} bytes); copy it again from the PocketBase server (stopped, or from a backup). Nothing was imported.`,
      );
    }
    const { Database } = loadSqlite();
    let db: Database;
    try {
      db = new Database(file, { readOnly: true, fileMustExist: true });
    } catch (err) {
      throw invalid(`data.db cannot be opened (${(err as Error).message}); nothing was imported.`);
    }
    try {
      // PocketBase's files are in WAL mode: with an exclusive lock SQLite keeps the WAL index in its own
      // memory instead of shared memory, which the WebAssembly file layer does not offer. The lock is a
      // "data.db.lock" folder beside the file while the import reads it.
      db.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -${CACHE_KIB}`);
    } catch (err) {
      db.close();
      throw invalid(
        `data.db cannot be read (${(err as Error).message}); if a "data.db.lock" folder is left beside it from an interrupted import, remove it. Nothing was imported.`,
      );
    }
    const reader = new PbReader(db);
    try {
      reader.checkIntegrity();
    } catch (err) {
      reader.close();
      throw err;
    }
    return reader;
  }

  private checkIntegrity(): void {
    let result: string;
    try {
      result = String(Object.values(this.db.get('PRAGMA quick_check') ?? {})[0] ?? '');
      this.db.get('SELECT count(*) FROM _collections');
    } catch (err) {
      throw invalid(
        `data.db is damaged or not a PocketBase database (${(err as Error).message}); nothing was imported.`,
      );
    }
    if (result !== 'ok') {
      throw invalid(`data.db is damaged (SQLite says: ${result.slice(0, 300)}); nothing was imported.`);
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private all(sql: string): PbRow[] {
    return this.db.all(sql).map((r) => plain(r as Record<string, unknown>));
  }

  hasTable(name: string): boolean {
    return (
      this.db.get("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", [name]) !== null
    );
  }

  collections(): PbCollection[] {
    return this.all('SELECT * FROM _collections ORDER BY created, id').map((r) => ({
      id: String(r.id),
      name: String(r.name),
      type: String(r.type) as PbCollection['type'],
      system: r.system === 1 || r.system === '1' || r.system === 'true',
      fields: parseJson(r.fields, []),
      indexes: parseJson(r.indexes, []),
      listRule: r.listRule as string | null,
      viewRule: r.viewRule as string | null,
      createRule: r.createRule as string | null,
      updateRule: r.updateRule as string | null,
      deleteRule: r.deleteRule as string | null,
      options: parseJson(r.options, {}),
    }));
  }

  count(table: string): number {
    const row = this.db.get(`SELECT count(*) AS n FROM ${quote(table)}`) as { n?: number } | null;
    return Number(row?.n ?? 0);
  }

  /** The table's rows, in rowid order, `size` at a time. */
  *batches(table: string, size: number): Generator<PbRow[]> {
    const stmt = this.db.prepare(`SELECT * FROM ${quote(table)} ORDER BY rowid`);
    try {
      let batch: PbRow[] = [];
      for (const row of stmt.iterate()) {
        batch.push(plain(row as Record<string, unknown>));
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    } finally {
      stmt.finalize();
    }
  }

  /** PocketBase's app settings (`_params` key `settings`), or null when they are encrypted or missing. */
  settings(): { value: Record<string, unknown> | null; encrypted: boolean } {
    if (!this.hasTable('_params')) return { value: null, encrypted: false };
    const row = this.all("SELECT value FROM _params WHERE id = 'settings'").at(0);
    const raw = row?.value;
    const text = raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : raw;
    const value = parseJson<Record<string, unknown> | null>(text ?? null, null);
    return { value, encrypted: !!text && !value };
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
