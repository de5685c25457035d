import { pipeline } from 'node:stream';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  AppError,
  isUuid,
  newId,
  PLINTH_CONFIG,
  SettingsService,
  type Principal,
  type ResolvedConfig,
} from '@plinth/core';
import { StorageService } from '@plinth/storage';
import type { EntityManager } from 'typeorm';
import { blobKey, BlobMismatch, verifyingStream } from './blob-check.js';
import { DeploysRepository, type DeployRow, type ManifestEntry } from './deploys.repository.js';
import {
  HOSTING_DEFAULTS,
  HOSTING_SETTINGS,
  hostingSettingsSchema,
  type HostingSettings,
} from './hosting-settings.js';
import { manifestPathProblem } from './site-paths.js';
import { SiteService } from './site.service.js';

/** Most files one deploy may have, and most manifest entries one request may carry. */
export const MAX_DEPLOY_FILES = 100_000;
export const MAX_FILES_PER_REQUEST = 5_000;
/** Largest single file of a site. */
export const MAX_SITE_FILE_SIZE = 1024 * 1024 * 1024;
/** A deploy never activated is deleted after this long (at the next activation). */
const PENDING_MAX_AGE_HOURS = 24;

export interface DeployView {
  id: string;
  status: 'pending' | 'ready';
  active: boolean;
  fileCount: number;
  size: number;
  createdBy: string;
  message: string;
  created: string;
  activated: string | null;
}

export interface ManifestBody {
  files?: ManifestEntry[];
  message?: string;
}

interface UploadPart {
  type: 'file' | 'field';
  fieldname: string;
  file?: NodeJS.ReadableStream & { resume(): void };
}

const view = (d: DeployRow): DeployView => ({
  id: d.id,
  status: d.status,
  active: d.active,
  fileCount: d.file_count,
  size: Number(d.total_size),
  createdBy: d.created_by,
  message: d.message,
  created: new Date(d.created).toISOString(),
  activated: d.activated ? new Date(d.activated).toISOString() : null,
});

const who = (p: Principal): string =>
  p.kind === 'admin' ? p.email : p.kind === 'key' ? `API key "${p.name}"` : p.kind;

/**
 * Deploys of the site: a manifest first (the answer names the blobs the server lacks), then those
 * blobs (each checked against its SHA-256 while it streams into the file storage), then activation,
 * which switches every replica at once. Rolling back is activating an earlier ready deploy.
 */
@Injectable()
export class DeploysService implements OnModuleInit {
  private readonly logger = new Logger('Hosting');

  constructor(
    private readonly repo: DeploysRepository,
    private readonly storage: StorageService,
    private readonly settings: SettingsService,
    private readonly site: SiteService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  onModuleInit(): void {
    this.settings.register<HostingSettings>({
      key: HOSTING_SETTINGS,
      schema: hostingSettingsSchema as unknown as Record<string, unknown>,
      defaults: HOSTING_DEFAULTS,
    });
  }

  async list(): Promise<{ items: DeployView[]; publicDir: boolean }> {
    return { items: (await this.repo.list()).map(view), publicDir: !!this.config.hosting.publicDir };
  }

  async get(id: string): Promise<DeployView> {
    return view(await this.deploy(id));
  }

  /** A new pending deploy with the manifest's first entries; answers the blobs to upload. */
  async create(principal: Principal, body: ManifestBody): Promise<DeployView & { missing: string[] }> {
    const files = this.checkManifest(body.files ?? [], 0);
    const id = newId();
    await this.repo.locked(async (m) => {
      await this.repo.insertDeploy(m, id, who(principal), (body.message ?? '').replaceAll('\u0000', ''));
      if (files.length) await this.repo.addFiles(m, id, files);
    });
    return { ...(await this.get(id)), missing: await this.repo.missing(id) };
  }

  /** More manifest entries for a pending deploy (large sites send their manifest in parts). */
  async addFiles(id: string, body: ManifestBody): Promise<DeployView & { missing: string[] }> {
    await this.repo.locked(async (m) => {
      const d = await this.deploy(id, m);
      if (d.status !== 'pending') throw this.notPending(d);
      const files = this.checkManifest(body.files ?? [], d.file_count);
      const taken = files.length ? await this.repo.addFiles(m, id, files) : [];
      if (taken.length) {
        throw new AppError(
          'VALIDATION_FAILED',
          `The deploy already has ${taken.length === 1 ? 'a file' : 'files'} at ${taken
            .slice(0, 3)
            .map((t) => `"${t}"`)
            .join(', ')}. Each path may be listed once.`,
          {
            errors: taken
              .slice(0, 20)
              .map((t) => ({ path: 'files', code: 'DUPLICATE', message: `"${t}" is listed twice` })),
          },
        );
      }
    });
    return { ...(await this.get(id)), missing: await this.repo.missing(id) };
  }

  /**
   * Stores the blobs sent as multipart file parts, each named by its SHA-256. A part whose bytes do not
   * hash to its name, or that the deploy does not list, is refused (400) and nothing of it is kept;
   * blobs stored before it in the same request stay (they are correct), so a retry sends less.
   */
  async upload(
    id: string,
    parts: AsyncIterable<UploadPart>,
  ): Promise<{ stored: string[]; missing: string[] }> {
    const d = await this.deploy(id);
    if (d.status !== 'pending') throw this.notPending(d);
    const driver = await this.storage.driver();
    const stored: string[] = [];
    for await (const part of parts) {
      if (part.type !== 'file' || !part.file) {
        throw new AppError(
          'MULTIPART_INVALID',
          `Send each file as a file part named by its SHA-256 ("${part.fieldname.slice(0, 80)}" is a text part).`,
        );
      }
      const sha256 = part.fieldname;
      const size = /^[0-9a-f]{64}$/.test(sha256) ? await this.repo.expectedSize(id, sha256) : undefined;
      if (size === undefined) {
        part.file.resume();
        throw new AppError(
          'DEPLOY_FILE_MISMATCH',
          `The deploy lists no file with the SHA-256 "${sha256.slice(0, 80)}". Name each part by the lower-case hex SHA-256 of a file in the manifest.`,
          {
            errors: [
              { path: sha256.slice(0, 80), code: 'NOT_IN_MANIFEST', message: 'is not a file of this deploy' },
            ],
          },
        );
      }
      if (await this.repo.blobStored(sha256)) {
        part.file.resume();
        stored.push(sha256);
        continue;
      }
      const checked = pipeline(part.file, verifyingStream(sha256, size), () => undefined);
      try {
        await driver.put(blobKey(sha256), checked, { contentType: 'application/octet-stream' });
      } catch (err) {
        if (err instanceof BlobMismatch) {
          throw new AppError(
            'DEPLOY_FILE_MISMATCH',
            `The part named ${sha256} ${err.message}. Nothing of it was stored.`,
            {
              errors: [{ path: sha256, code: 'HASH_MISMATCH', message: err.message }],
            },
          );
        }
        throw err;
      }
      await this.repo.recordBlob(sha256, size);
      stored.push(sha256);
    }
    return { stored, missing: await this.repo.missing(id) };
  }

  /**
   * Makes the deploy the one served, on every replica: a pending deploy once every blob is stored and
   * its `plinth.json` / `_headers` / `_redirects` read well; a ready one at once (a rollback). Then
   * deletes what the keep-N setting no longer keeps.
   */
  async activate(id: string): Promise<DeployView> {
    const d = await this.deploy(id);
    if (d.active) return view(d);
    if (d.file_count === 0) {
      throw new AppError(
        'DEPLOY_INCOMPLETE',
        'This deploy has no files. Add its manifest (POST /api/hosting/deploys/{id}/files) first.',
        { missing: 0 },
      );
    }
    const missing = await this.repo.missing(id);
    if (missing.length) throw this.incomplete(missing.length);
    // Refuses a site whose own configuration cannot be read, before anything changes.
    await this.site.readRules(await this.repo.files(id));
    const { keep } = await this.settings.get<HostingSettings>(HOSTING_SETTINGS);
    await this.repo.locked(async (m) => {
      if (!(await this.repo.find(id, m))) throw this.notFound();
      const stillMissing = await this.repo.missing(id, m);
      if (stillMissing.length) throw this.incomplete(stillMissing.length);
      await this.repo.activate(m, id);
      await this.prune(m, keep);
    });
    await this.site.changed();
    return this.get(id);
  }

  /** Deletes a deploy that is not active (a pending one, or an old one no longer wanted). */
  async remove(id: string): Promise<void> {
    await this.repo.locked(async (m) => {
      const d = await this.deploy(id, m);
      if (d.active) {
        throw new AppError(
          'CONFLICT',
          'This deploy is being served. Activate another one first, then delete it.',
        );
      }
      await this.repo.deleteDeploy(m, id);
      const { keep } = await this.settings.get<HostingSettings>(HOSTING_SETTINGS);
      await this.prune(m, keep);
    });
  }

  /** Runs inside the hosting lock, so no new deploy can count on a blob while it is being deleted. */
  private async prune(m: EntityManager, keep: number): Promise<void> {
    const gone = await this.repo.prune(m, keep, PENDING_MAX_AGE_HOURS);
    if (!gone.length) return;
    try {
      await (await this.storage.driver()).delete(gone.map(blobKey));
    } catch (err) {
      // The rows are gone with the transaction's commit; an object left behind is only an orphan.
      this.logger.warn(
        `Could not delete ${gone.length} unused site files from storage: ${(err as Error).message}`,
      );
    }
  }

  private checkManifest(files: ManifestEntry[], already: number): ManifestEntry[] {
    if (files.length > MAX_FILES_PER_REQUEST) {
      throw new AppError(
        'DEPLOY_TOO_LARGE',
        `Send at most ${MAX_FILES_PER_REQUEST} manifest entries per request; add the rest with POST /api/hosting/deploys/{id}/files.`,
      );
    }
    if (already + files.length > MAX_DEPLOY_FILES) {
      throw new AppError('DEPLOY_TOO_LARGE', `A deploy may have at most ${MAX_DEPLOY_FILES} files.`);
    }
    const errors: Array<{ path: string; code: string; message: string }> = [];
    const seen = new Set<string>();
    files.forEach((f, i) => {
      const problem = manifestPathProblem(f.path);
      if (problem) errors.push({ path: `files.${i}.path`, code: 'INVALID_PATH', message: problem });
      else if (seen.has(f.path))
        errors.push({ path: `files.${i}.path`, code: 'DUPLICATE', message: 'is listed twice' });
      seen.add(f.path);
    });
    if (errors.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `${errors.length} manifest path${errors.length === 1 ? ' is' : 's are'} not allowed: ${errors[0]!.path} ${errors[0]!.message}. Nothing was deployed.`,
        { errors: errors.slice(0, 100) },
      );
    }
    return files;
  }

  private async deploy(id: string, m?: EntityManager): Promise<DeployRow> {
    const d = isUuid(id) ? await this.repo.find(id, m) : undefined;
    if (!d) throw this.notFound();
    return d;
  }

  private notFound(): AppError {
    return new AppError(
      'DEPLOY_NOT_FOUND',
      'There is no such deploy. List them with GET /api/hosting/deploys.',
    );
  }

  private notPending(d: DeployRow): AppError {
    return new AppError(
      'DEPLOY_NOT_PENDING',
      `Deploy ${d.id} is already ${d.active ? 'active' : 'complete'}; files can be added only before it is activated. Start a new deploy.`,
    );
  }

  private incomplete(count: number): AppError {
    return new AppError(
      'DEPLOY_INCOMPLETE',
      `${count} file${count === 1 ? ' of this deploy has' : 's of this deploy have'} not been uploaded yet. Upload them (POST /api/hosting/deploys/{id}/blobs) and activate again; the current site stays live meanwhile.`,
      { missing: count },
    );
  }
}
