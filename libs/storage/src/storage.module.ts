import { Module, OnModuleInit } from '@nestjs/common';
import { AuthModule } from '@plinth/auth';
import { CollectionsModule, CollectionsService, RecordsService } from '@plinth/collections';
import { CoreModule, SettingsModule } from '@plinth/core';
import { FileTokensService } from './file-tokens.service.js';
import { FilesController, StorageSettingsController } from './files.controller.js';
import { FilesService } from './files.service.js';
import { RecordFilesService } from './record-files.service.js';
import { StorageService } from './storage.service.js';

/** File fields: uploads through the records routes, downloads, thumbnails, file tokens, drivers. */
@Module({
  imports: [CoreModule, SettingsModule, CollectionsModule, AuthModule],
  controllers: [FilesController, StorageSettingsController],
  providers: [StorageService, RecordFilesService, FilesService, FileTokensService],
  exports: [StorageService, FilesService],
})
export class StorageModule implements OnModuleInit {
  constructor(
    private readonly records: RecordsService,
    private readonly recordFiles: RecordFilesService,
    private readonly collections: CollectionsService,
  ) {}

  onModuleInit(): void {
    this.records.useFiles(this.recordFiles);
    // Objects of deleted collections and removed file fields go once the schema change committed.
    this.collections.onFilesDropped((dropped) => this.recordFiles.removeDropped(dropped));
  }
}
