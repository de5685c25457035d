import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface DeployRow {
  id: string;
  status: 'pending' | 'ready';
  active: boolean;
  file_count: number;
  total_size: string;
  created_by: string;
  message: string;
  created: Date;
  activated: Date | null;
}

export interface ManifestEntry {
  path: string;
  sha256: string;
  size: number;
}

/** Every hosting write runs under this transaction lock, so blob clean-up never races a new deploy. */
const LOCK = 'plinth.hosting';

/** Deploys, their files and the stored blobs (plinth.site_*). */
@Injectable()
export class DeploysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in a transaction holding the hosting lock. */
  locked<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK]);
      return work(m);
    });
  }

  list(): Promise<DeployRow[]> {
    return this.dataSource.query('SELECT * FROM plinth.site_deploy ORDER BY created DESC, id DESC');
  }

  async find(id: string, m: EntityManager = this.dataSource.manager): Promise<DeployRow | undefined> {
    const [row] = await m.query('SELECT * FROM plinth.site_deploy WHERE id = $1', [id]);
    return row;
  }

  async active(): Promise<DeployRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM plinth.site_deploy WHERE active');
    return row;
  }

  files(deployId: string): Promise<ManifestEntry[]> {
    return this.dataSource
      .query('SELECT path, sha256, size FROM plinth.site_deploy_file WHERE deploy_id = $1', [deployId])
      .then((rows: Array<{ path: string; sha256: string; size: string }>) =>
        rows.map((r) => ({ path: r.path, sha256: r.sha256, size: Number(r.size) })),
      );
  }

  async insertDeploy(m: EntityManager, id: string, createdBy: string, message: string): Promise<void> {
    await m.query('INSERT INTO plinth.site_deploy (id, created_by, message) VALUES ($1, $2, $3)', [
      id,
      createdBy,
      message,
    ]);
  }

  /** Adds manifest entries; answers the paths that were already in the deploy (nothing is added then). */
  async addFiles(m: EntityManager, deployId: string, files: ManifestEntry[]): Promise<string[]> {
    const taken: Array<{ path: string }> = await m.query(
      'SELECT path FROM plinth.site_deploy_file WHERE deploy_id = $1 AND path = ANY($2::text[])',
      [deployId, files.map((f) => f.path)],
    );
    if (taken.length) return taken.map((t) => t.path);
    await m.query(
      `INSERT INTO plinth.site_deploy_file (deploy_id, path, sha256, size)
       SELECT $1::uuid, * FROM unnest($2::text[], $3::text[], $4::bigint[])`,
      [deployId, files.map((f) => f.path), files.map((f) => f.sha256), files.map((f) => f.size)],
    );
    await m.query(
      `UPDATE plinth.site_deploy SET
         file_count = (SELECT count(*) FROM plinth.site_deploy_file WHERE deploy_id = $1),
         total_size = (SELECT COALESCE(sum(size), 0) FROM plinth.site_deploy_file WHERE deploy_id = $1)
       WHERE id = $1`,
      [deployId],
    );
    return [];
  }

  /** The deploy's blobs that are not stored yet (distinct sha256s). */
  async missing(deployId: string, m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: Array<{ sha256: string }> = await m.query(
      `SELECT DISTINCT f.sha256 FROM plinth.site_deploy_file f
       WHERE f.deploy_id = $1 AND NOT EXISTS (SELECT 1 FROM plinth.site_blob b WHERE b.sha256 = f.sha256)
       ORDER BY f.sha256`,
      [deployId],
    );
    return rows.map((r) => r.sha256);
  }

  /** The size the deploy's manifest gives `sha256`, when the deploy names it. */
  async expectedSize(deployId: string, sha256: string): Promise<number | undefined> {
    const [row] = await this.dataSource.query(
      'SELECT size FROM plinth.site_deploy_file WHERE deploy_id = $1 AND sha256 = $2 LIMIT 1',
      [deployId, sha256],
    );
    return row ? Number(row.size) : undefined;
  }

  async blobStored(sha256: string): Promise<boolean> {
    const [row] = await this.dataSource.query('SELECT 1 FROM plinth.site_blob WHERE sha256 = $1', [sha256]);
    return !!row;
  }

  async recordBlob(sha256: string, size: number): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO plinth.site_blob (sha256, size) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING',
      [sha256, size],
    );
  }

  /** Makes `id` the one active (and ready) deploy. */
  async activate(m: EntityManager, id: string): Promise<void> {
    await m.query('UPDATE plinth.site_deploy SET active = false WHERE active AND id <> $1', [id]);
    await m.query(
      `UPDATE plinth.site_deploy SET status = 'ready', active = true, activated = now() WHERE id = $1`,
      [id],
    );
  }

  async deactivateAll(m: EntityManager): Promise<void> {
    await m.query('UPDATE plinth.site_deploy SET active = false WHERE active');
  }

  /**
   * Deletes ready deploys beyond the newest `keep` (never the active one) and pending ones older than
   * `pendingMaxAgeHours`; answers the blobs no deploy names any more (their rows deleted).
   */
  async prune(m: EntityManager, keep: number, pendingMaxAgeHours: number): Promise<string[]> {
    await m.query(
      `DELETE FROM plinth.site_deploy WHERE id IN (
         SELECT id FROM plinth.site_deploy WHERE status = 'ready' AND NOT active
         ORDER BY created DESC, id DESC OFFSET GREATEST($1::int - 1, 0))`,
      [keep],
    );
    await m.query(
      `DELETE FROM plinth.site_deploy WHERE status = 'pending' AND created < now() - make_interval(hours => $1)`,
      [pendingMaxAgeHours],
    );
    const gone: Array<{ sha256: string }> = await m.query(
      `DELETE FROM plinth.site_blob b
       WHERE NOT EXISTS (SELECT 1 FROM plinth.site_deploy_file f WHERE f.sha256 = b.sha256)
       RETURNING sha256`,
    );
    return gone.map((g) => g.sha256);
  }

  async deleteDeploy(m: EntityManager, id: string): Promise<void> {
    await m.query('DELETE FROM plinth.site_deploy WHERE id = $1', [id]);
  }
}
