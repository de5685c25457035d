import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AuditTrail } from './audit/audit-trail.js';
import { AuditWriteRepository } from './audit/audit-write.repository.js';
import { DataSource } from 'typeorm';
import { PLINTH_CONFIG, PLINTH_PROCESS, REDIS, type PlinthProcess } from './core.tokens.js';
import { createDataSource, runMigrations } from './database/data-source.js';
import { OneTimeTokenRepository } from './database/one-time-token.repository.js';
import { RequestLogRetentionRepository } from './database/request-log-retention.repository.js';
import { poolOf, RequestPool } from './database/request-pool.js';
import { Lifecycle } from './lifecycle/lifecycle.js';
import { Maintenance } from './maintenance/maintenance.js';
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

/**
 * The stores: the PostgreSQL DataSource (migrated at boot), the request pool, the shared Redis client,
 * and lifecycle, metrics and rate limits. Imported by every module that uses one of them; the
 * configuration it reads comes from the global ConfigModule.
 */
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [PLINTH_CONFIG, PLINTH_PROCESS],
      useFactory: async (config: ResolvedConfig, proc: PlinthProcess) => {
        const ds = createDataSource(config.databaseUrl, {
          applicationName: `plinth-${proc.role}`,
          // A worker serves no record requests: all its connections are for system work.
          poolSize: proc.role === 'worker' ? config.database.poolSize : config.database.systemPoolSize,
        });
        await ds.initialize();
        await runMigrations(ds);
        return ds;
      },
    },
    {
      provide: REDIS,
      inject: [PLINTH_CONFIG],
      useFactory: async (config: ResolvedConfig) => {
        const client = createRedis(config.redis.url, { keyPrefix: `${config.redis.prefix}:` });
        await client.connect();
        return client;
      },
    },
    {
      provide: RequestPool,
      inject: [DataSource, PLINTH_CONFIG, PLINTH_PROCESS],
      useFactory: (ds: DataSource, config: ResolvedConfig, proc: PlinthProcess) =>
        new RequestPool(
          config.databaseUrl,
          {
            size: config.database.poolSize,
            statementTimeoutMs: config.database.statementTimeoutMs,
            applicationName: `plinth-${proc.role}-requests`,
          },
          poolOf(ds),
        ),
    },
    Lifecycle,
    Maintenance,
    Metrics,
    OneTimeTokenRepository,
    RequestLogRetentionRepository,
    RateLimiter,
    AuditWriteRepository,
    AuditTrail,
    CoreShutdown,
  ],
  exports: [
    DataSource,
    REDIS,
    RequestPool,
    Lifecycle,
    Maintenance,
    Metrics,
    OneTimeTokenRepository,
    RequestLogRetentionRepository,
    RateLimiter,
    AuditWriteRepository,
    AuditTrail,
  ],
})
export class CoreModule {}
