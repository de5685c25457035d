import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  AppError,
  PLINTH_CONFIG,
  publicOnlyLookup,
  SettingsService,
  type ResolvedConfig,
} from '@plinth/core';
import { LocalDriver } from './drivers/local.driver.js';
import type { StorageDriver } from './drivers/storage-driver.js';

export const STORAGE_SETTINGS = 'storage';

/** The admin-editable `storage` settings section (defaults from PLINTH_STORAGE_DRIVER and PLINTH_S3_*). */
export interface StorageSettings extends Record<string, unknown> {
  driver: 'local' | 's3';
  s3Endpoint: string;
  s3Bucket: string;
  s3Region: string;
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  s3ForcePathStyle: boolean;
}

export const storageSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['driver'],
  properties: {
    driver: { enum: ['local', 's3'] },
    s3Endpoint: { type: 'string', maxLength: 2048, pattern: '^(https?://\\S+)?$' },
    s3Bucket: { type: 'string', maxLength: 255 },
    s3Region: { type: 'string', maxLength: 64 },
    s3AccessKeyId: { type: 'string', maxLength: 1000 },
    s3SecretAccessKey: { type: 'string', maxLength: 1000 },
    s3ForcePathStyle: { type: 'boolean' },
  },
  if: { properties: { driver: { const: 's3' } } },
  then: { properties: { s3Bucket: { minLength: 1 } } },
} as const;

export function storageDefaults(config: ResolvedConfig): StorageSettings {
  const s3 = config.storage.s3;
  return {
    driver: config.storage.driver,
    s3Endpoint: s3.endpoint ?? '',
    s3Bucket: s3.bucket ?? '',
    s3Region: s3.region,
    s3AccessKeyId: s3.accessKeyId ?? '',
    s3SecretAccessKey: s3.secretAccessKey ?? '',
    s3ForcePathStyle: s3.forcePathStyle,
  };
}

/**
 * The storage driver the settings choose, built once per settings version. A change on any replica
 * switches every replica's driver (files stored with the old driver stay where they are).
 */
@Injectable()
export class StorageService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Storage');
  private current?: Promise<StorageDriver>;
  private built: StorageDriver[] = [];

  constructor(
    private readonly settings: SettingsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  onModuleInit(): void {
    this.settings.register<StorageSettings>({
      key: STORAGE_SETTINGS,
      schema: storageSettingsSchema as unknown as Record<string, unknown>,
      defaults: storageDefaults(this.config),
      secrets: ['s3SecretAccessKey'],
      secretEndpoints: { s3SecretAccessKey: ['s3Endpoint', 's3Bucket', 's3AccessKeyId'] },
      outboundUrls: ['s3Endpoint'],
    });
    this.settings.onChange(STORAGE_SETTINGS, () => {
      this.current = undefined;
    });
  }

  onModuleDestroy(): void {
    for (const d of this.built) d.close();
  }

  /** Where local files go: `<data dir>/storage`. */
  get localRoot(): string {
    return resolve(join(this.config.dataDir, 'storage'));
  }

  async driver(): Promise<StorageDriver> {
    if (!this.current) {
      const pending = this.settings.get<StorageSettings>(STORAGE_SETTINGS).then((s) => this.build(s));
      this.current = pending;
      pending.catch(() => {
        if (this.current === pending) this.current = undefined;
      });
    }
    return this.current;
  }

  private async build(s: StorageSettings): Promise<StorageDriver> {
    // The AWS SDK is loaded only when S3 is used.
    const driver: StorageDriver =
      s.driver === 's3'
        ? new (await import('./drivers/s3.driver.js')).S3Driver({
            endpoint: s.s3Endpoint,
            bucket: s.s3Bucket,
            region: s.s3Region,
            accessKeyId: s.s3AccessKeyId,
            secretAccessKey: s.s3SecretAccessKey,
            forcePathStyle: s.s3ForcePathStyle,
            lookup: this.config.allowPrivateEndpoints ? undefined : publicOnlyLookup(),
          })
        : new LocalDriver(this.localRoot);
    // Old clients are closed at shutdown only: a request may still be streaming through one.
    this.built.push(driver);
    return driver;
  }

  /**
   * "Test connection": writes, reads back and deletes a probe object with the current settings;
   * a failure names the step and the store's own message.
   */
  async test(): Promise<{ ok: true; driver: string }> {
    const driver = await this.driver();
    const key = `_plinth_probe/${randomUUID()}`;
    const payload = `plinth storage probe ${new Date().toISOString()}`;
    const step = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (err) {
        const message = (err as Error)?.message ?? String(err);
        this.logger.warn(`Storage test failed while ${what}: ${message}`);
        throw new AppError(
          'STORAGE_TEST_FAILED',
          `The ${driver.name} storage failed while ${what}: ${message.slice(0, 300)}. Check the storage settings (endpoint, bucket, region, credentials) and that the store is reachable.`,
          { step: what },
        );
      }
    };
    await step('writing a probe object', () =>
      driver.put(key, Readable.from([Buffer.from(payload)]), { contentType: 'text/plain' }),
    );
    const read = await step('reading the probe object back', async () => {
      const chunks: Buffer[] = [];
      for await (const c of await driver.get(key)) chunks.push(Buffer.from(c as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    });
    if (read !== payload) {
      await driver.delete([key]).catch(() => undefined);
      throw new AppError(
        'STORAGE_TEST_FAILED',
        `The ${driver.name} storage returned other bytes than were written. If it is an S3-compatible store, check that it supports plain (unsigned-payload) uploads.`,
        { step: 'comparing the probe object' },
      );
    }
    await step('deleting the probe object', () => driver.delete([key]));
    return { ok: true, driver: driver.name };
  }
}
