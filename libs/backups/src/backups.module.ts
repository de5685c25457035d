import { DynamicModule, Module } from '@nestjs/common';
import { CollectionsModule } from '@plinth/collections';
import { CoreModule, SettingsModule } from '@plinth/core';
import { StorageModule, StorageService } from '@plinth/storage';
import { BackupsCreateHandler } from './backups-create.handler.js';
import { BackupsController } from './backups.controller.js';
import { BackupsRepository } from './backups.repository.js';
import { BackupsService } from './backups.service.js';
import { RestoreService } from './restore.service.js';

/**
 * Backups of the whole install. `restore: true` (server, CLI): the routes and restores too, with the
 * schema sync and the file storage they need. `restore: false` (the worker): making scheduled backups
 * only, with a storage driver of its own (the worker has no file routes).
 */
@Module({})
export class BackupsModule {
  static forRoot(opts: { restore: boolean }): DynamicModule {
    if (!opts.restore)
      return {
        module: BackupsModule,
        imports: [CoreModule, SettingsModule],
        providers: [StorageService, BackupsRepository, BackupsService, BackupsCreateHandler],
        exports: [BackupsService],
      };
    return {
      module: BackupsModule,
      imports: [CoreModule, SettingsModule, CollectionsModule, StorageModule],
      controllers: [BackupsController],
      providers: [BackupsRepository, BackupsService, RestoreService, BackupsCreateHandler],
      exports: [BackupsService, RestoreService],
    };
  }
}
