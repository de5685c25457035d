import { Module, OnModuleInit } from '@nestjs/common';
import { RecordsService } from '@plinth/collections';
import { FileTokensService } from './file-tokens.service.js';
import { FilesController, StorageSettingsController } from './files.controller.js';
import { FilesService } from './files.service.js';
import { RecordFilesService } from './record-files.service.js';
import { StorageService } from './storage.service.js';

/** File fields: uploads through the records routes, downloads, thumbnails, file tokens, drivers. */
@Module({
  controllers: [FilesController, StorageSettingsController],
  providers: [StorageService, RecordFilesService, FilesService, FileTokensService],
  exports: [StorageService, FilesService],
})
export class StorageModule implements OnModuleInit {
  constructor(
    private readonly records: RecordsService,
    private readonly recordFiles: RecordFilesService,
  ) {}

  onModuleInit(): void {
    this.records.useFiles(this.recordFiles);
  }
}
