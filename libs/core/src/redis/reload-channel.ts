import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedis } from './redis.js';

/**
 * State every replica keeps in memory and reloads from PostgreSQL when any replica changes it: one
 * Redis pub/sub channel per kind of state. `reload` runs at start, on every message and after every
 * reconnect (changes may have been missed while Redis was away); `changed()` reloads here and tells
 * the other replicas.
 */
export class ReloadChannel {
  /** Every started channel of this process, so that a restore can reload them all here. */
  private static readonly started = new Set<ReloadChannel>();
  private readonly logger: Logger;
  private subscriber?: Redis;
  private publisher?: Redis;

  constructor(
    private readonly redisUrl: string,
    private readonly channel: string,
    private readonly reload: () => Promise<void>,
    what: string,
  ) {
    this.logger = new Logger(what);
  }

  async start(): Promise<void> {
    await this.reload();
    this.publisher = createRedis(this.redisUrl);
    this.subscriber = createRedis(this.redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    const again = () =>
      void this.reload().catch((err: Error) => this.logger.error(`Reloading failed: ${err.message}`));
    this.subscriber.on('message', again);
    this.subscriber.on('ready', again);
    await this.subscriber.subscribe(this.channel);
    ReloadChannel.started.add(this);
  }

  /** Reloads every channel of this process (after a restore replaced the whole database). */
  static async reloadAll(): Promise<void> {
    await Promise.all([...ReloadChannel.started].map((c) => c.reload()));
  }

  /** Reloads here and tells every other replica to reload. */
  async changed(): Promise<void> {
    await this.reload();
    await this.publisher
      ?.publish(this.channel, String(Date.now()))
      .catch((err: Error) =>
        this.logger.warn(
          `Could not tell other replicas about the change (they reload when Redis is back): ${err.message}`,
        ),
      );
  }

  stop(): void {
    ReloadChannel.started.delete(this);
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }
}
