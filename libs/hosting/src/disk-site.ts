import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@nestjs/common';
import { combineRules, EMPTY_RULES, type SiteRules } from './site-rules.js';

/** A file of the served site. */
export interface SiteFile {
  path: string;
  size: number;
  etag: string;
  /** The deploy's blob; absent for files of PLINTH_PUBLIC_DIR. */
  sha256?: string;
  /** The file on disk (PLINTH_PUBLIC_DIR only). */
  disk?: string;
}

/** What a request is served from: the active deploy, or PLINTH_PUBLIC_DIR. */
export interface Site {
  readonly rules: SiteRules;
  lookup(path: string): SiteFile | undefined;
}

/** The site's own configuration files at its root: read for their rules, never served. */
export const CONFIG_FILES = {
  plinthJson: 'plinth.json',
  redirects: '_redirects',
  headers: '_headers',
} as const;

/** PLINTH_PUBLIC_DIR: files straight from disk, re-read on every request (local development). */
export class DiskSite implements Site {
  private rulesKey = '';
  private cached: SiteRules = EMPTY_RULES;

  constructor(
    private readonly root: string,
    private readonly logger: Logger,
  ) {}

  get rules(): SiteRules {
    const texts: Record<string, string | undefined> = {};
    let key = '';
    for (const [k, name] of Object.entries(CONFIG_FILES)) {
      const file = this.lookup(name);
      key += `${name}:${file?.etag ?? '-'};`;
      if (file) texts[k] = readFileSync(file.disk!, 'utf8');
    }
    if (key !== this.rulesKey) {
      this.rulesKey = key;
      try {
        this.cached = combineRules(texts);
      } catch (err) {
        this.logger.warn(`${this.root}: ${(err as Error).message}; serving without the site's rules`);
        this.cached = EMPTY_RULES;
      }
    }
    return this.cached;
  }

  lookup(p: string): SiteFile | undefined {
    const file = path.resolve(this.root, ...p.split('/'));
    if (file !== this.root && !file.startsWith(this.root + path.sep)) return undefined;
    try {
      const real = realpathSync(file);
      // A symlink may point anywhere: only what really lies inside the folder is served.
      if (!real.startsWith(this.root + path.sep)) return undefined;
      const s = statSync(real);
      if (!s.isFile()) return undefined;
      return {
        path: p,
        size: s.size,
        etag: `W/"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`,
        disk: real,
      };
    } catch {
      return undefined;
    }
  }
}
