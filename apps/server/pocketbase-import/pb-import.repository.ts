import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { quoteIdent } from '@plinth/collections';
import { newId } from '@plinth/core';
import { DataSource, type EntityManager } from 'typeorm';

/** PostgreSQL caps a statement at 65,535 parameters. */
const MAX_PARAMS = 60_000;

export interface TargetColumn {
  name: string;
  cast: string;
}

/** The SQL of the PocketBase import; every statement runs in the import's transaction. */
@Injectable()
export class PbImportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Outside a transaction (the early checks). */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Records already in a collection's table (a fresh install's `users` has none). */
  async countRecords(tx: EntityManager, collection: string): Promise<number> {
    const [row] = await tx.query(`SELECT count(*)::int AS n FROM data.${quoteIdent(collection)}`);
    return row.n as number;
  }

  /** Whether a column holds UUIDs only (Plinth's ids before text ids reached that table). */
  async isUuidColumn(schema: string, table: string, column: string, tx: EntityManager = this.manager) {
    const [row] = await tx.query(
      `SELECT udt_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3`,
      [schema, table, column],
    );
    return row?.udt_name === 'uuid';
  }

  async countAdmins(tx: EntityManager): Promise<string[]> {
    const rows: Array<{ email: string }> = await tx.query('SELECT lower(email) AS email FROM plinth.admin');
    return rows.map((r) => r.email);
  }

  /** Rows of one collection in as few multi-row INSERTs as the parameter cap allows. */
  async insertRows(tx: EntityManager, collection: string, columns: TargetColumn[], rows: unknown[][]) {
    const per = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
    const names = columns.map((c) => quoteIdent(c.name)).join(', ');
    for (let start = 0; start < rows.length; start += per) {
      const chunk = rows.slice(start, start + per);
      const params: unknown[] = [];
      const tuples = chunk.map((row) => {
        const cells = columns.map((c, i) => {
          const v = row[i];
          params.push(c.cast === 'jsonb' && v !== null && v !== undefined ? JSON.stringify(v) : v);
          return `$${params.length}::${c.cast}`;
        });
        return `(${cells.join(', ')})`;
      });
      await tx.query(
        `INSERT INTO data.${quoteIdent(collection)} (${names}) VALUES ${tuples.join(', ')}`,
        params,
      );
    }
  }

  /** Single relations whose targets were written after their records: set them now. */
  async setRelations(
    tx: EntityManager,
    collection: string,
    column: TargetColumn,
    idCast: string,
    pairs: Array<[string, string]>,
  ) {
    for (let start = 0; start < pairs.length; start += 10_000) {
      const chunk = pairs.slice(start, start + 10_000);
      await tx.query(
        `UPDATE data.${quoteIdent(collection)} AS t SET ${quoteIdent(column.name)} = v.target::${column.cast}
         FROM unnest($1::text[], $2::text[]) AS v(id, target) WHERE t.id = v.id::${idCast}`,
        [chunk.map((p) => p[0]), chunk.map((p) => p[1])],
      );
    }
  }

  async insertAdmin(
    tx: EntityManager,
    a: { email: string; passwordHash: string; created: string | null; updated: string | null },
  ) {
    await tx.query(
      `INSERT INTO plinth.admin (id, email, password_hash, token_key, created, updated)
       VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()), coalesce($6::timestamptz, now()))`,
      [newId(), a.email, a.passwordHash, randomBytes(24).toString('hex'), a.created, a.updated],
    );
  }

  async insertExternalIdentity(
    tx: EntityManager,
    e: {
      collectionId: string;
      recordId: string;
      provider: string;
      providerUserId: string;
      created: string | null;
    },
  ) {
    await tx.query(
      `INSERT INTO plinth.external_identity (id, collection_id, record_id, provider, provider_user_id, created)
       VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()))`,
      [newId(), e.collectionId, e.recordId, e.provider, e.providerUserId, e.created],
    );
  }
}
