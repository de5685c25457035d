import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  AppError,
  PLINTH_CONFIG,
  PLINTH_VERSION,
  REDIS,
  SettingsService,
  type ResolvedConfig,
} from '@plinth/core';
import { StorageService } from '@plinth/storage';
import type { Redis } from 'ioredis';
import { BackupLocation, type BackupInfo } from './backup-location.js';
import { backupName, uploadName } from './backup-manifest.js';
import { BackupArchive } from './backup-reader.js';
import { writeBackup, type BackupProgress } from './backup-writer.js';
import { BackupsRepository } from './backups.repository.js';

export interface RunningBackup extends BackupProgress {
  name: string;
  created: string;
}

/** The admin-editable `backups` settings section: how many scheduled backups to keep. */
export const BACKUPS_SETTINGS = 'backups';
export interface BackupsSettings extends Record<string, unknown> {
  /** Backups made by Plinth kept after a scheduled one (0: all). Uploads are never pruned. */
  keep: number;
}

/** One backup or restore at a time per install (all replicas), and how long a holder may take. */
const LOCK_KEY = 'backups:lock';
const RUNNING_KEY = 'backups:running';
const LOCK_TTL_MS = 6 * 60 * 60 * 1000;

/**
 * Backups (docs/decisions/backups.md): archives made from one REPEATABLE READ snapshot while the app
 * runs, kept in the backup location (`<data dir>/backups`), listed, downloaded, uploaded and pruned.
 * Restoring is RestoreService's.
 */
@Injectable()
export class BackupsService implements OnModuleInit {
  private readonly logger = new Logger('Backups');
  readonly location: BackupLocation;

  constructor(
    private readonly repository: BackupsRepository,
    private readonly storage: StorageService,
    private readonly settings: SettingsService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLINTH_CONFIG) config: ResolvedConfig,
  ) {
    this.location = new BackupLocation(join(config.dataDir, 'backups'));
  }

  onModuleInit(): void {
    this.settings.register<BackupsSettings>({
      key: BACKUPS_SETTINGS,
      schema: {
        type: 'object',
        additionalProperties: false,
        required: ['keep'],
        properties: {
          keep: {
            type: 'integer',
            minimum: 0,
            maximum: 10000,
            description: 'Backups made by Plinth to keep after each scheduled one (0: keep all).',
          },
        },
      },
      defaults: { keep: 0 },
    });
  }

  /** A scheduled backup: made, then the oldest beyond the `keep` setting deleted. */
  async scheduled(): Promise<{ name: string; size: number; pruned: string[] }> {
    const info = await this.create();
    const { keep } = await this.settings.get<BackupsSettings>(BACKUPS_SETTINGS);
    const pruned = keep > 0 ? await this.prune(keep) : [];
    return { name: info.name, size: info.size, pruned };
  }

  /** The archives, newest first, and the backup being made (on any replica), if one is. */
  async list(): Promise<{ items: BackupInfo[]; running: RunningBackup | null }> {
    const [items, running] = await Promise.all([this.location.list(), this.running()]);
    return { items, running };
  }

  async running(): Promise<RunningBackup | null> {
    const raw = await this.redis.get(RUNNING_KEY);
    return raw ? (JSON.parse(raw) as RunningBackup) : null;
  }

  /** Starts a backup and answers at once; its progress is in `list().running`. */
  async start(): Promise<RunningBackup> {
    const created = new Date();
    const name = await this.freeName(backupName(created));
    const token = await this.lock();
    const running: RunningBackup = {
      name,
      created: created.toISOString(),
      stage: 'tables',
      done: 0,
      total: 0,
    };
    await this.redis.set(RUNNING_KEY, JSON.stringify(running), 'PX', LOCK_TTL_MS);
    void this.make(name, created)
      .catch((err: Error) => this.logger.error(`Backup ${name} failed: ${err.message}`))
      .finally(() => this.finish(token));
    return running;
  }

  /** Makes a backup and answers when it is complete (the CLI, the schedule). */
  async create(progress: (p: BackupProgress) => void = () => undefined): Promise<BackupInfo> {
    const created = new Date();
    const name = await this.freeName(backupName(created));
    const token = await this.lock();
    try {
      return await this.make(name, created, progress);
    } finally {
      await this.finish(token);
    }
  }

  private async make(
    name: string,
    created: Date,
    progress: (p: BackupProgress) => void = () => undefined,
  ): Promise<BackupInfo> {
    let reported = 0;
    const report = (p: BackupProgress) => {
      progress(p);
      // At most a few writes a second to Redis, whatever the number of rows and files.
      if (Date.now() - reported < 250 && p.stage !== 'done') return;
      reported = Date.now();
      const running: RunningBackup = { name, created: created.toISOString(), ...p };
      void this.redis.set(RUNNING_KEY, JSON.stringify(running), 'PX', LOCK_TTL_MS).catch(() => undefined);
    };
    const driver = await this.storage.driver();
    const manifest = await this.location.write(name, (out) =>
      this.repository.snapshot((snapshot) =>
        writeBackup(snapshot, driver, out, { plinthVersion: PLINTH_VERSION, created }, report),
      ),
    );
    if (manifest.missingFiles.length)
      this.logger.warn(
        `Backup ${name}: ${manifest.missingFiles.length} file(s) referenced by records were not in storage (deleted meanwhile or lost) and are not in it.`,
      );
    const info = (await this.location.list()).find((b) => b.name === name)!;
    this.logger.log(`Backup ${name} written (${info.size} bytes)`);
    return info;
  }

  /** Frees the lock, then stops showing progress: once nothing runs, a restore may start. */
  private async finish(token: string): Promise<void> {
    await this.unlock(token);
    await this.redis.del(RUNNING_KEY).catch(() => undefined);
  }

  download(name: string): Promise<{ body: Readable; size: number }> {
    return this.location.read(name);
  }

  /** Keeps an uploaded archive once it proved whole (manifest, sizes, checksums); 400 and nothing kept otherwise. */
  async upload(body: Readable, fileName: string | undefined): Promise<BackupInfo> {
    const name = await this.freeName(uploadName(fileName, new Date()));
    await this.location.write(name, async (out) => {
      await pipeline(body, out);
      const archive = await BackupArchive.open(`${join(this.location.dir, name)}.part`);
      try {
        await archive.verify();
      } finally {
        archive.close();
      }
    });
    return (await this.location.list()).find((b) => b.name === name)!;
  }

  async delete(name: string): Promise<void> {
    await this.location.delete(name);
  }

  /** Deletes all but the newest `keep` archives made by Plinth (uploads stay). */
  async prune(keep: number): Promise<string[]> {
    const made = (await this.location.list()).filter((b) => b.name.startsWith('plinth-backup-'));
    const gone = made.slice(keep);
    for (const b of gone) await this.location.delete(b.name);
    return gone.map((b) => b.name);
  }

  private async freeName(wanted: string): Promise<string> {
    let name = wanted;
    for (let i = 2; await this.location.exists(name); i++) name = wanted.replace(/\.zip$/, `-${i}.zip`);
    return name;
  }

  /** Runs `work` holding the install's one backup-or-restore lock (409 BACKUP_BUSY while another runs). */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const token = await this.lock();
    try {
      return await work();
    } finally {
      await this.unlock(token);
    }
  }

  private async lock(): Promise<string> {
    const token = `${process.pid}-${Date.now()}-${Math.random()}`;
    const ok = await this.redis.set(LOCK_KEY, token, 'PX', LOCK_TTL_MS, 'NX');
    if (!ok)
      throw new AppError(
        'BACKUP_BUSY',
        'A backup or a restore is already running. Wait until it has finished, then try again.',
      );
    return token;
  }

  private async unlock(token: string): Promise<void> {
    const held = await this.redis.get(LOCK_KEY).catch(() => null);
    if (held === token) await this.redis.del(LOCK_KEY).catch(() => undefined);
  }
}
