import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CollectionsService, type CollectionDef, type ViewOutcome } from '@plinth/collections';
import {
  AppError,
  AuditTrail,
  newId,
  PLINTH_CONFIG,
  SettingsService,
  type ResolvedConfig,
} from '@plinth/core';
import { StorageService } from '@plinth/storage';
import type { EntityManager } from 'typeorm';
import { copyPbFiles, listPbFiles, type PbFile } from './pb-files.js';
import { PbImportRepository } from './pb-import.repository.js';
import { mapCollections, PB_SYSTEM, type MappedCollection } from './pb-mapping.js';
import { planCollections } from './pb-plan.js';
import { PbReader } from './pb-reader.js';
import { copyRecords } from './pb-records.js';
import type { ImportReport } from './pb-report.js';
import { mapSettings } from './pb-settings.js';
import { openPbSource } from './pb-source.js';
import { isUuid, textIdProblem, textIdsSupported } from './pb-ids.js';

const failed = (detail: string) => new AppError('IMPORT_FAILED', detail);

/** PostgreSQL's refusal while rows were written, in the user's words. */
function rowFailure(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; table?: string; detail?: string; message?: string };
  const where = e.table ? ` in collection "${e.table}"` : '';
  if (e.code === '23503')
    return failed(
      `A relation${where} holds an id that does not exist in its target collection (${e.detail ?? ''}); fix it in PocketBase and import again. Nothing was changed.`,
    );
  if (e.code === '23505')
    return failed(
      `Two records${where} share a value that must be unique (${e.detail ?? ''}); nothing was changed.`,
    );
  if (typeof e.code === 'string' && /^(22|23)/.test(e.code))
    return failed(`A value${where} cannot be stored (${e.message ?? e.code}); nothing was changed.`);
  return err as AppError;
}

/**
 * Imports a whole PocketBase app (pb_data directory or backup zip) into a fresh install: files first,
 * then collections, records, admins and social identities in one transaction; files are removed
 * again when the transaction fails. A dry run does all of it in a transaction that is rolled back.
 */
@Injectable()
export class PocketBaseImportService {
  private readonly logger = new Logger('PocketBaseImport');

  constructor(
    private readonly collections: CollectionsService,
    private readonly storage: StorageService,
    private readonly repository: PbImportRepository,
    private readonly settings: SettingsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
    private readonly audit: AuditTrail,
  ) {}

  async run(path: string, opts: { dryRun: boolean; label?: string }): Promise<ImportReport> {
    const source = await openPbSource(path, join(this.config.dataDir, 'tmp'));
    try {
      const reader = await PbReader.open(source.dataDb);
      try {
        return await this.importFrom(reader, source.storageDir, { ...opts, label: opts.label ?? path });
      } finally {
        reader.close();
      }
    } finally {
      source.dispose();
    }
  }

  private async importFrom(
    reader: PbReader,
    storageDir: string | null,
    opts: { dryRun: boolean; label: string },
  ): Promise<ImportReport> {
    const pbCollections = reader.collections();
    const mapped = mapCollections(pbCollections, { textIds: textIdsSupported(), views: true });
    const live = mapped.filter((m) => !m.skipped && m.pb.type !== 'view');
    const views = mapped.filter((m) => !m.skipped && m.pb.type === 'view');
    const idProblem = textIdProblem(live, reader);
    if (idProblem) throw failed(idProblem);
    await this.placeCollectionIds([...live, ...views]);
    const { problems } = planCollections(live);
    if (problems.length)
      throw failed(
        `These PocketBase collections cannot be created in Plinth: ${problems.join(' | ')}. Nothing was changed.`,
      );

    // Checked again under the schema lock in the transaction; this early answer copies no file in vain.
    await this.assertFresh(this.repository.manager, this.collections.list());
    const settings = mapSettings(reader.settings());
    const local = listPbFiles(
      storageDir,
      live.map((m) => ({ pbId: m.pb.id, id: m.id })),
    );
    // PocketBase on S3 served its files from the bucket Plinth now uses: files left in pb_data are not copied.
    const files = settings.storage ? [] : local;
    const report = this.emptyReport(mapped, files, opts);
    report.settings = settings.notes;
    if (settings.storage && local.length)
      report.settings.push({
        kind: 'skipped',
        what: 'storage',
        why: `${local.length} files in pb_data/storage were not copied: PocketBase served files from its S3 bucket, which Plinth now uses.`,
      });

    const copied = opts.dryRun ? [] : await copyPbFiles(await this.storage.driver(), files);
    try {
      const result = await this.collections.createWithIds(
        live.map((m) => ({ id: m.id, body: m.body })),
        { replace: ['users'], dryRun: opts.dryRun, views: views.map((m) => ({ id: m.id, body: m.body })) },
        {
          check: (tx, all) => this.assertFresh(tx, all),
          then: async (tx, created) => {
            await this.writeRows(tx, reader, live, created, report);
            await this.audit.record(
              {
                action: 'pocketbase.import',
                targetType: 'import',
                targetName: opts.label,
                summary: `imported ${created.length} collection(s) from PocketBase: ${created.map((c) => c.name).join(', ')}`,
              },
              tx,
            );
          },
        },
      );
      this.reportViews(views, result.views, report);
    } catch (err) {
      if (copied.length) await (await this.storage.driver()).delete(copied).catch(() => undefined);
      throw rowFailure(err);
    }
    if (!opts.dryRun && settings.mail) await this.carryMail(settings.mail, report);
    if (!opts.dryRun && settings.storage) await this.carryStorage(settings.storage, report);
    if (!opts.dryRun) this.logger.log(`Imported ${live.length} collections from PocketBase (${opts.label})`);
    return report;
  }

  /**
   * Collections keep PocketBase's ids where Plinth's collection ids can be text; otherwise those that
   * are no UUIDs get new ones (clients name collections by name; files move to the new folder).
   */
  private async placeCollectionIds(live: MappedCollection[]): Promise<void> {
    if (!(await this.repository.isUuidColumn('plinth', 'collection', 'id'))) return;
    for (const m of live) {
      if (isUuid(m.pb.id)) continue;
      m.id = newId();
      m.notes.push({
        kind: 'limited',
        what: 'id',
        why: `PocketBase's collection id "${m.pb.id}" cannot be kept (Plinth's collection ids are UUIDs here); it is now ${m.id}. Paths by collection name are unchanged.`,
      });
    }
  }

  /** Each view collection: created (rules that did not compile now null), or skipped with PostgreSQL's reason. */
  private reportViews(views: MappedCollection[], outcomes: ViewOutcome[], report: ImportReport): void {
    for (const m of views) {
      const outcome = outcomes.find((o) => o.id === m.id);
      const entry = report.collections.find((c) => c.id === m.id);
      if (!outcome || !entry) continue;
      for (const n of outcome.nulled)
        entry.notes.push({
          kind: 'limited',
          what: n.rule,
          why: `the rule does not compile in Plinth (${n.message}); it is now null (admins only). PocketBase's text: ${n.text.replace(/\s+/g, ' ').slice(0, 300)}`,
        });
      if (outcome.reason) {
        entry.status = 'skipped';
        entry.skipped = `its query does not run on PostgreSQL: ${outcome.reason.slice(0, 500)}`;
      } else {
        entry.notes.push({
          kind: 'mapped',
          what: 'records',
          why: 'computed by the view from its source collections.',
        });
      }
    }
  }

  /** The SMTP settings, after the data committed (a refusal is reported, the data stays). */
  private async carryMail(mail: Record<string, unknown>, report: ImportReport): Promise<void> {
    try {
      await this.settings.patch('mail', mail);
    } catch (err) {
      const note = report.settings.find((n) => n.what === 'smtp');
      if (note) {
        note.kind = 'skipped';
        note.why = `the mail settings refused them (${err instanceof AppError ? err.detail : String(err)}); set SMTP in Settings → Mail.`;
      }
    }
  }

  /** PocketBase's S3 settings, after the data committed (a refusal is reported, the data stays). */
  private async carryStorage(storage: Record<string, unknown>, report: ImportReport): Promise<void> {
    try {
      await this.settings.patch('storage', storage);
    } catch (err) {
      const note = report.settings.find((n) => n.what === 's3');
      if (note) {
        note.kind = 'skipped';
        note.why = `the storage settings refused them (${err instanceof AppError ? err.detail : String(err)}); set S3 in Settings → Storage to the bucket PocketBase used.`;
      }
    }
  }

  /** A fresh install: no collection but the default, empty `users`. */
  private async assertFresh(tx: EntityManager, all: CollectionDef[]): Promise<void> {
    const others = all.filter((c) => c.name !== 'users');
    const users = all.find((c) => c.name === 'users');
    const usersCount = users ? await this.repository.countRecords(tx, 'users') : 0;
    if (others.length || usersCount > 0) {
      const what = [
        others.length ? `collections ${others.map((c) => `"${c.name}"`).join(', ')}` : '',
        usersCount ? `${usersCount} users` : '',
      ].filter(Boolean);
      throw new AppError(
        'IMPORT_TARGET_NOT_FRESH',
        `A PocketBase app can only be imported into a fresh install (only the default, empty "users" collection); this one has ${what.join(' and ')}. Nothing was changed.`,
      );
    }
  }

  private emptyReport(
    mapped: MappedCollection[],
    files: PbFile[],
    opts: { dryRun: boolean; label: string },
  ): ImportReport {
    const system = Object.entries(PB_SYSTEM).map(([name, why]) => ({
      kind: 'mapped' as const,
      what: name,
      why,
    }));
    return {
      dryRun: opts.dryRun,
      source: opts.label,
      collections: mapped.map((m) => ({
        name: m.pb.name,
        id: m.id,
        type: m.pb.type,
        status: m.skipped ? 'skipped' : opts.dryRun ? 'planned' : 'imported',
        ...(m.skipped ? { skipped: m.skipped } : {}),
        records: 0,
        files: m.skipped ? 0 : files.filter((f) => f.collectionId === m.id).length,
        notes: m.notes,
      })),
      admins: { imported: 0, skipped: [] },
      externalAuths: { imported: 0, skipped: 0 },
      settings: [],
      notes: [
        ...system,
        {
          kind: 'limited',
          what: 'sessions',
          why: 'PocketBase tokens cannot be verified by Plinth: users and admins sign in again.',
        },
        {
          kind: 'mapped',
          what: 'thumbnails',
          why: "made anew by Plinth on first request; PocketBase's are not copied.",
        },
      ],
    };
  }

  private async writeRows(
    tx: EntityManager,
    reader: PbReader,
    live: MappedCollection[],
    created: CollectionDef[],
    report: ImportReport,
  ): Promise<void> {
    const counts = await copyRecords(tx, this.repository, reader, live, created);
    for (const c of report.collections) c.records = counts.get(c.name) ?? 0;

    if (reader.hasTable('_superusers')) {
      const taken = new Set(await this.repository.countAdmins(tx));
      for (const batch of reader.batches('_superusers', 1000)) {
        for (const row of batch) {
          const email = String(row.email ?? '');
          if (taken.has(email.toLowerCase())) {
            report.admins.skipped.push({ email, why: 'an admin with this email exists here; it was kept.' });
            continue;
          }
          await this.repository.insertAdmin(tx, {
            email,
            passwordHash: String(row.password),
            created: (row.created as string) || null,
            updated: (row.updated as string) || null,
          });
          taken.add(email.toLowerCase());
          report.admins.imported++;
        }
      }
    }

    if (reader.hasTable('_externalAuths')) {
      const plinthId = new Map(live.map((m) => [m.pb.id, m.id]));
      const textRecordIds = !(await this.repository.isUuidColumn(
        'plinth',
        'external_identity',
        'record_id',
        tx,
      ));
      for (const batch of reader.batches('_externalAuths', 1000)) {
        for (const row of batch) {
          const collectionId = plinthId.get(String(row.collectionRef));
          if (!collectionId || (!textRecordIds && !isUuid(String(row.recordRef)))) {
            report.externalAuths.skipped++;
            continue;
          }
          await this.repository.insertExternalIdentity(tx, {
            collectionId,
            recordId: String(row.recordRef),
            provider: String(row.provider),
            providerUserId: String(row.providerId),
            created: (row.created as string) || null,
          });
          report.externalAuths.imported++;
        }
      }
    }
  }
}
