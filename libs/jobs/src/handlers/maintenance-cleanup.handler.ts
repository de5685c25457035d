import { Injectable, Logger } from '@nestjs/common';
import { OneTimeTokenRepository } from '@plinth/core';
import { JobHandler, HandlesJob } from '../job-handler.js';

/** Deletes expired rows of system tables. Runs on a schedule (PLINTH_CLEANUP_EVERY). */
@Injectable()
@JobHandler('maintenance.cleanup')
export class MaintenanceCleanupHandler implements HandlesJob<'maintenance.cleanup'> {
  private readonly logger = new Logger('Maintenance');

  constructor(private readonly tokens: OneTimeTokenRepository) {}

  async handle(): Promise<{ expiredTokens: number }> {
    const expiredTokens = await this.tokens.deleteExpired();
    if (expiredTokens) this.logger.log(`Deleted ${expiredTokens} expired one-time token(s)`);
    return { expiredTokens };
  }
}
