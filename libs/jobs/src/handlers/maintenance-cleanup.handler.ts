import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  AuditWriteRepository,
  OneTimeTokenRepository,
  PLINTH_CONFIG,
  RequestLogRetentionRepository,
  type ResolvedConfig,
} from '@plinth/core';
import { JobHandler, HandlesJob } from '../job-handler.js';

/** Deletes expired rows of system tables. Runs on a schedule (PLINTH_CLEANUP_EVERY). */
@Injectable()
@JobHandler('maintenance.cleanup')
export class MaintenanceCleanupHandler implements HandlesJob<'maintenance.cleanup'> {
  private readonly logger = new Logger('Maintenance');

  constructor(
    private readonly tokens: OneTimeTokenRepository,
    private readonly requestLogs: RequestLogRetentionRepository,
    private readonly audit: AuditWriteRepository,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async handle(): Promise<{
    expiredTokens: number;
    expiredRequestLogs: number;
    expiredAuditEntries: number;
  }> {
    const expiredTokens = await this.tokens.deleteExpired();
    if (expiredTokens) this.logger.log(`Deleted ${expiredTokens} expired one-time token(s)`);
    // Request logs past PLINTH_LOGS_RETENTION_DAYS (issue 23).
    const expiredRequestLogs = await this.requestLogs.deleteOlderThan(this.config.logs.retentionDays);
    if (expiredRequestLogs)
      this.logger.log(`Deleted ${expiredRequestLogs} request log entr(ies) past retention`);
    // Audit entries past PLINTH_AUDIT_RETENTION_DAYS.
    const expiredAuditEntries = await this.audit.deleteOlderThan(this.config.audit.retentionDays);
    if (expiredAuditEntries) this.logger.log(`Deleted ${expiredAuditEntries} audit entr(ies) past retention`);
    return { expiredTokens, expiredRequestLogs, expiredAuditEntries };
  }
}
