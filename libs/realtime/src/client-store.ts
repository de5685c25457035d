import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A realtime client as every replica sees it (a Redis hash), so a client may POST to, or resume
 * on, any replica. Credentials are never stored: a resuming stream brings its own.
 */
export interface StoredClient {
  subscriptions: string[];
  /** The account the client is bound to (`admin:…`, `key:…`, `user:…`), `''` until one subscribes. */
  owner: string;
  /** SHA-256 of the current resume secret; a new connection gets a new one. */
  resume: string;
}

export type SetSubscriptionsResult = 'ok' | 'missing' | 'forbidden';

/**
 * Sets the topics only while the client exists and only for its owner; the first authenticated
 * caller becomes the owner (PocketBase allows only guest → auth). In one script, so two callers
 * cannot both bind it. HSET keeps the key's TTL.
 */
const SET_SUBSCRIPTIONS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= '' and owner ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'subs', ARGV[2])
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'owner', ARGV[1]) end
return 1
`;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('base64url');

export class ClientStore {
  constructor(private readonly redis: Redis) {}

  async save(id: string, client: StoredClient, ttlMs: number): Promise<void> {
    const key = this.key(id);
    await this.redis
      .multi()
      .hset(key, { subs: JSON.stringify(client.subscriptions), owner: client.owner, resume: client.resume })
      .pexpire(key, ttlMs)
      .exec();
  }

  async load(id: string): Promise<StoredClient | undefined> {
    const raw = await this.redis.hgetall(this.key(id));
    if (!raw.resume) return undefined;
    let subscriptions: unknown;
    try {
      subscriptions = JSON.parse(raw.subs ?? '[]');
    } catch {
      subscriptions = [];
    }
    return {
      subscriptions: Array.isArray(subscriptions) ? subscriptions.filter((s) => typeof s === 'string') : [],
      owner: raw.owner ?? '',
      resume: raw.resume,
    };
  }

  async setSubscriptions(
    id: string,
    owner: string,
    subscriptions: string[],
  ): Promise<SetSubscriptionsResult> {
    const result = await this.redis.eval(
      SET_SUBSCRIPTIONS,
      1,
      this.key(id),
      owner,
      JSON.stringify(subscriptions),
    );
    return result === 1 ? 'ok' : result === -1 ? 'forbidden' : 'missing';
  }

  /** Keeps the clients of open streams (one round trip for all). */
  async touch(ids: Iterable<string>, ttlMs: number): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.pexpire(this.key(id), ttlMs);
    if (pipeline.length) await pipeline.exec();
  }

  async expireAfter(id: string, ms: number): Promise<void> {
    await this.redis.pexpire(this.key(id), ms);
  }

  async remove(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  private key(clientId: string): string {
    return `realtime:c:${clientId}`;
  }
}
