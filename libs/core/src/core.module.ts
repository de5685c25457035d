import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { PLINTH_CONFIG, REDIS } from './core.tokens.js';
import { createDataSource, runMigrations } from './database/data-source.js';
import { OneTimeTokenRepository } from './database/one-time-token.repository.js';
import { RequestLogRetentionRepository } from './database/request-log-retention.repository.js';
import { poolOf, RequestPool } from './database/request-pool.js';
import { Lifecycle } from './lifecycle/lifecycle.js';
import { Metrics } from './metrics/metrics.js';
import { RateLimiter } from './redis/rate-limiter.js';
import { createRedis } from './redis/redis.js';
import type { ResolvedConfig } from './runtime/runtime.js';

@Injectable()
class CoreShutdown implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly requests: RequestPool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    await this.requests.end();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** Config, the PostgreSQL DataSource (migrated at boot), the shared Redis client, lifecycle and metrics. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: ResolvedConfig, opts: { role: string }): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: PLINTH_CONFIG, useValue: config },
        {
          provide: DataSource,
          useFactory: async () => {
            const ds = createDataSource(config.databaseUrl, {
              applicationName: `plinth-${opts.role}`,
              // A worker serves no record requests: all its connections are for system work.
              poolSize: opts.role === 'worker' ? config.database.poolSize : config.database.systemPoolSize,
            });
            await ds.initialize();
            await runMigrations(ds);
            return ds;
          },
        },
        {
          provide: REDIS,
          useFactory: async () => {
            const client = createRedis(config.redis.url, { keyPrefix: `${config.redis.prefix}:` });
            await client.connect();
            return client;
          },
        },
        {
          provide: RequestPool,
          inject: [DataSource],
          useFactory: (ds: DataSource) =>
            new RequestPool(
              config.databaseUrl,
              {
                size: config.database.poolSize,
                statementTimeoutMs: config.database.statementTimeoutMs,
                applicationName: `plinth-${opts.role}-requests`,
              },
              poolOf(ds),
            ),
        },
        Lifecycle,
        Metrics,
        OneTimeTokenRepository,
        RequestLogRetentionRepository,
        RateLimiter,
        CoreShutdown,
      ],
      exports: [
        PLINTH_CONFIG,
        DataSource,
        REDIS,
        RequestPool,
        Lifecycle,
        Metrics,
        OneTimeTokenRepository,
        RequestLogRetentionRepository,
        RateLimiter,
      ],
    };
  }
}
