import { createReadStream, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppError, PLINTH_CONFIG, ReloadChannel, SettingsService, type ResolvedConfig } from '@plinth/core';
import { ObjectNotFound, StorageService } from '@plinth/storage';
import { blobKey } from './blob-check.js';
import { DeploysRepository, type ManifestEntry } from './deploys.repository.js';
import { HOSTING_DEFAULTS, HOSTING_SETTINGS, type HostingSettings } from './hosting-settings.js';
import { combineRules, SiteConfigError, type SiteRules } from './site-rules.js';
import { CONFIG_FILES, DiskSite, type Site, type SiteFile } from './disk-site.js';

export type { Site, SiteFile };

const MAX_CONFIG_SIZE = 1024 * 1024;
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

class DeploySite implements Site {
  constructor(
    readonly deployId: string,
    private readonly files: Map<string, SiteFile>,
    readonly rules: SiteRules,
  ) {}

  lookup(p: string): SiteFile | undefined {
    return this.files.get(p);
  }
}

/** Small blobs kept in memory: content-addressed, so a cached copy is never stale. */
class BlobCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    readonly maxEntry: number,
  ) {}

  get(sha256: string): Buffer | undefined {
    const hit = this.entries.get(sha256);
    if (hit) {
      this.entries.delete(sha256);
      this.entries.set(sha256, hit);
    }
    return hit;
  }

  set(sha256: string, data: Buffer): void {
    if (data.length > this.maxEntry || this.entries.has(sha256)) return;
    this.entries.set(sha256, data);
    this.bytes += data.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/**
 * The site every replica serves: the active deploy's manifest in memory, reloaded when any replica
 * activates a deploy (Redis pub/sub), or PLINTH_PUBLIC_DIR when it is set.
 */
@Injectable()
export class SiteService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Hosting');
  private current?: Site;
  private readonly channel: ReloadChannel;
  private readonly cache = new BlobCache(64 * 1024 * 1024, 512 * 1024);
  private readonly compressedCache = new BlobCache(32 * 1024 * 1024, 512 * 1024);
  private readonly compressing = new Map<string, Promise<Buffer | undefined>>();
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly repo: DeploysRepository,
    private readonly storage: StorageService,
    private readonly settings: SettingsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.channel = new ReloadChannel(
      config.redis.url,
      `${config.redis.prefix}:hosting-changed`,
      () => this.reload(),
      'Hosting',
    );
  }

  async onModuleInit(): Promise<void> {
    const dir = this.config.hosting.publicDir;
    if (dir) {
      let root: string;
      try {
        root = realpathSync.native(path.resolve(dir));
        if (!statSync(root).isDirectory()) throw new Error('not a folder');
      } catch {
        throw new Error(
          `PLINTH_PUBLIC_DIR=${dir} is not a folder. Create it, or unset PLINTH_PUBLIC_DIR to serve deploys.`,
        );
      }
      this.current = new DiskSite(root, this.logger);
      this.logger.log(
        `Serving ${path.resolve(dir)} at the site prefix (PLINTH_PUBLIC_DIR); deploys are not served.`,
      );
      return;
    }
    await this.channel.start();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retry);
    this.channel.stop();
  }

  /** The site to serve now (undefined: nothing deployed). */
  get site(): Site | undefined {
    return this.current;
  }

  async hostingSettings(): Promise<HostingSettings> {
    return this.settings.get<HostingSettings>(HOSTING_SETTINGS).catch(() => HOSTING_DEFAULTS);
  }

  /** Tells every replica (this one first) that the active deploy changed. */
  async changed(): Promise<void> {
    if (this.config.hosting.publicDir) return;
    await this.channel.changed();
  }

  /** Loads the active deploy when it differs from the one in memory; a failure keeps serving the old one. */
  private async reload(): Promise<void> {
    clearTimeout(this.retry);
    try {
      const active = await this.repo.active();
      if (!active) {
        this.current = undefined;
        return;
      }
      if (this.current instanceof DeploySite && this.current.deployId === active.id) return;
      const entries = await this.repo.files(active.id);
      const rules = await this.readRules(entries);
      const files = new Map<string, SiteFile>();
      for (const e of entries) {
        files.set(e.path, {
          path: e.path,
          size: e.size,
          sha256: e.sha256,
          etag: `"${e.sha256.slice(0, 40)}"`,
        });
      }
      this.current = new DeploySite(active.id, files, rules);
    } catch (err) {
      this.logger.error(`Could not load the active deploy (trying again in 5 s): ${(err as Error).message}`);
      this.retry = setTimeout(() => void this.reload(), 5000).unref();
    }
  }

  /** The rules of a deploy's `plinth.json`, `_redirects` and `_headers`; 400 SITE_CONFIG_INVALID when unreadable. */
  async readRules(entries: ManifestEntry[]): Promise<SiteRules> {
    const texts: Record<string, string> = {};
    for (const [k, name] of Object.entries(CONFIG_FILES)) {
      const e = entries.find((f) => f.path === name);
      if (!e) continue;
      if (e.size > MAX_CONFIG_SIZE) {
        throw new AppError('SITE_CONFIG_INVALID', `${name} is larger than 1 MiB.`);
      }
      texts[k] = (await this.read({ path: name, size: e.size, sha256: e.sha256, etag: '' })).toString('utf8');
    }
    try {
      return combineRules(texts);
    } catch (err) {
      if (err instanceof SiteConfigError) {
        throw new AppError(
          'SITE_CONFIG_INVALID',
          `${err.message}. Fix it and deploy again; the current site stays live.`,
        );
      }
      throw err;
    }
  }

  /** The whole file, from memory when small. */
  private async read(file: SiteFile): Promise<Buffer> {
    const hit = file.sha256 ? this.cache.get(file.sha256) : undefined;
    if (hit) return hit;
    const data = await readAll(await (await this.storage.driver()).get(blobKey(file.sha256!)));
    this.cache.set(file.sha256!, data);
    return data;
  }

  /**
   * The file's bytes (or `range` of them): a Buffer for small deploy files (kept in memory after the
   * first read), a stream otherwise. Undefined when the blob has gone missing from the storage.
   */
  /**
   * The file compressed with `encoding`, made once per blob and replica and kept in memory (deploy files
   * of 1 KiB to 512 KiB only); undefined when not worth it or the blob is missing.
   */
  async compressed(file: SiteFile, encoding: 'br' | 'gzip'): Promise<Buffer | undefined> {
    if (!file.sha256 || file.size < 1024 || file.size > this.cache.maxEntry) return undefined;
    const key = `${file.sha256}.${encoding}`;
    const hit = this.compressedCache.get(key);
    if (hit) return hit;
    let pending = this.compressing.get(key);
    if (!pending) {
      pending = (async () => {
        const data = await this.open(file);
        if (!Buffer.isBuffer(data)) return undefined;
        const out =
          encoding === 'br'
            ? await brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })
            : await gzip(data, { level: 6 });
        // Kept only when it saves something; else the file goes out as it is.
        const kept = out.length < data.length ? out : undefined;
        if (kept) this.compressedCache.set(key, kept);
        return kept;
      })().finally(() => this.compressing.delete(key));
      this.compressing.set(key, pending);
    }
    return pending;
  }

  async open(file: SiteFile, range?: { start: number; end: number }): Promise<Buffer | Readable | undefined> {
    if (file.disk) return createReadStream(file.disk, range ?? {});
    try {
      if (file.size <= this.cache.maxEntry) {
        const data = await this.read(file);
        return range ? data.subarray(range.start, range.end + 1) : data;
      }
      return await (await this.storage.driver()).get(blobKey(file.sha256!), range);
    } catch (err) {
      if (err instanceof ObjectNotFound) {
        this.logger.error(`The stored file of ${file.path} (${file.sha256}) is missing from the storage.`);
        return undefined;
      }
      throw new AppError(
        'STORAGE_UNAVAILABLE',
        "The site's files cannot be read from the storage right now. Try again in a moment.",
      );
    }
  }
}
