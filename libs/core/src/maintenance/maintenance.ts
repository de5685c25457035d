import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PLINTH_CONFIG, REDIS } from '../core.tokens.js';
import { AppError } from '../errors/app-error.js';
import { createRedis } from '../redis/redis.js';
import { ReloadChannel } from '../redis/reload-channel.js';
import type { ResolvedConfig } from '../runtime/runtime.js';

/** How long the flag outlives a restore whose process died without ending it. */
const FLAG_TTL_MS = 15 * 60 * 1000;
/** What `Retry-After` tells clients while the install is being replaced. */
export const MAINTENANCE_RETRY_AFTER_S = 10;

/**
 * Maintenance mode across replicas (a restore replaces the whole install): a Redis key with a TTL
 * (read at start and after every reconnect) and a pub/sub message, so every replica knows at once and
 * answers 503 MAINTENANCE without a Redis round trip per request. When it ends, every replica reloads
 * its in-memory state (collections registry, webhooks, push triggers, settings).
 */
@Injectable()
export class Maintenance implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Maintenance');
  private subscriber?: Redis;
  private until = 0;
  private readonly endListeners: Array<() => void> = [];

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = createRedis(this.config.redis.url, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    await this.subscriber.connect();
    this.subscriber.on('message', (_channel: string, message: string) => this.heard(message));
    this.subscriber.on('ready', () => void this.readFlag());
    await this.subscriber.subscribe(this.channel());
    await this.readFlag();
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }

  /** True while a restore runs on any replica. */
  get active(): boolean {
    return this.until > Date.now();
  }

  /** The 503 every request but health gets meanwhile. */
  problem(): AppError {
    return new AppError(
      'MAINTENANCE',
      'A backup is being restored; the install is back in a few moments. Try again then.',
      { headers: { 'retry-after': String(MAINTENANCE_RETRY_AFTER_S) } },
    );
  }

  /** Runs `work` with every replica in maintenance; ends it (and reloads everywhere) whatever happens. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    const until = Date.now() + FLAG_TTL_MS;
    this.until = until;
    await this.redis.set('maintenance', String(until), 'PX', FLAG_TTL_MS);
    await this.redis.publish(this.channel(), `on:${until}`);
    try {
      return await work();
    } finally {
      this.until = 0;
      await this.redis.del('maintenance').catch(() => undefined);
      await this.redis.publish(this.channel(), 'off').catch((err: Error) => {
        this.logger.warn(`Could not tell other replicas that the restore ended: ${err.message}`);
      });
      await this.ended();
    }
  }

  /** Called on every replica when maintenance ends (after its in-memory state reloaded). */
  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  private heard(message: string): void {
    if (message.startsWith('on:')) {
      this.until = Number(message.slice(3)) || Date.now() + FLAG_TTL_MS;
    } else if (message === 'off') {
      this.until = 0;
      void this.ended();
    }
  }

  private async readFlag(): Promise<void> {
    const value = await this.redis.get('maintenance').catch(() => null);
    const wasActive = this.active;
    this.until = value ? Number(value) : 0;
    if (wasActive && !this.active) await this.ended();
  }

  private async ended(): Promise<void> {
    for (const listener of this.endListeners) listener();
    await ReloadChannel.reloadAll().catch((err: Error) =>
      this.logger.error(`Reloading after the restore failed: ${err.message}`),
    );
  }

  /** Pub/sub channels are not prefixed by ioredis' keyPrefix. */
  private channel(): string {
    return `${this.config.redis.prefix}:maintenance`;
  }
}
