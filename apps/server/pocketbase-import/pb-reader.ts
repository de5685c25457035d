import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppError } from '@plinth/core';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';

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

let sqlJs: Promise<initSqlJs.SqlJsStatic> | undefined;
function loadSqlJs() {
  // The WebAssembly file sits beside sql.js's own entry point (no native build needed).
  const dist = dirname(createRequire(import.meta.url).resolve('sql.js'));
  sqlJs ??= initSqlJs({ locateFile: (name: string) => join(dist, name) });
  return sqlJs;
}

const parseJson = <T>(text: SqlValue, fallback: T): T => {
  if (typeof text !== 'string' || !text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

/**
 * Reads a PocketBase `data.db` with sql.js (SQLite compiled to WebAssembly). sql.js holds the whole
 * file in its heap (docs/decisions/pocketbase-import.md); records are stepped one statement row at a
 * time and handed over in batches, so no table is ever materialised in JavaScript.
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
    const SQL = await loadSqlJs();
    let db: Database;
    try {
      db = new SQL.Database(readFileSync(file));
    } catch (err) {
      throw invalid(`data.db cannot be opened (${(err as Error).message}); nothing was imported.`);
    }
    const reader = new PbReader(db);
    reader.checkIntegrity();
    return reader;
  }

  private checkIntegrity(): void {
    let result: string;
    try {
      result = String(this.db.exec('PRAGMA quick_check')[0]?.values[0]?.[0] ?? '');
      this.db.exec('SELECT count(*) FROM _collections');
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
    this.db.close();
  }

  private all(sql: string): PbRow[] {
    const stmt = this.db.prepare(sql);
    try {
      const rows: PbRow[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      return rows;
    } finally {
      stmt.free();
    }
  }

  hasTable(name: string): boolean {
    const stmt = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?");
    try {
      stmt.bind([name]);
      return stmt.step();
    } finally {
      stmt.free();
    }
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
    return Number(this.db.exec(`SELECT count(*) FROM ${quote(table)}`)[0]?.values[0]?.[0] ?? 0);
  }

  /** The table's rows, in rowid order, `size` at a time. */
  *batches(table: string, size: number): Generator<PbRow[]> {
    const stmt = this.db.prepare(`SELECT * FROM ${quote(table)} ORDER BY rowid`);
    try {
      let batch: PbRow[] = [];
      while (stmt.step()) {
        batch.push(stmt.getAsObject());
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    } finally {
      stmt.free();
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
