import { Inject, Injectable } from '@nestjs/common';
import { PLINTH_CONFIG, type ResolvedConfig } from '@plinth/core';
import { CollectionsRegistry } from '../registry/collections.registry.js';
import { rowToRecord } from './record-sql.js';
import { RecordsRepository } from './records.repository.js';

type Loaded = { collectionName: string; record: Record<string, unknown>; tokenKey: string } | undefined;

/** Loads the auth record behind an app-user token (one indexed query, cached briefly). */
@Injectable()
export class AuthRecordLoader {
  private readonly cache = new Map<string, { value: Loaded; until: number }>();
  private readonly cacheMs: number;

  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsRepository,
    @Inject(PLINTH_CONFIG) config: ResolvedConfig,
  ) {
    this.cacheMs = config.auth.recordCacheMs;
  }

  /** `fresh` skips the cache (a token signed after a token-key change must not wait for it). */
  async load(collectionId: string, id: string, opts: { fresh?: boolean } = {}): Promise<Loaded> {
    const key = `${collectionId}/${id}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now && !opts.fresh) return hit.value;
    const c = this.registry.findById(collectionId);
    if (!c || !c.isAuth) return undefined;
    const row = await this.records.authRecord(c, id);
    const value = row
      ? {
          collectionName: c.def.name, // Rules read empty values of @request.auth.* as null, as their compiler expects.
          record: rowToRecord(row, c, { zeroValues: false }),
          tokenKey: String(row.token_key),
        }
      : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { value, until: now + this.cacheMs });
    return value;
  }
}
