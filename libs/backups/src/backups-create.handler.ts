import { Injectable } from '@nestjs/common';
import { JobHandler, type HandlesJob } from '@plinth/jobs';
import { BackupsService } from './backups.service.js';

/** `backups.create`: what a schedule with the built-in backup job runs (a backup, then retention). */
@Injectable()
@JobHandler('backups.create')
export class BackupsCreateHandler implements HandlesJob<'backups.create'> {
  constructor(private readonly backups: BackupsService) {}

  handle(): Promise<{ name: string; size: number; pruned: string[] }> {
    return this.backups.scheduled();
  }
}
