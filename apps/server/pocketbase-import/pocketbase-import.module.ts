import { Module } from '@nestjs/common';
import { CollectionsModule } from '@plinth/collections';
import { CoreModule, SettingsModule } from '@plinth/core';
import { StorageModule } from '@plinth/storage';
import { PbImportRepository } from './pb-import.repository.js';
import { PocketBaseImportController } from './pocketbase-import.controller.js';
import { PocketBaseImportService } from './pocketbase-import.service.js';

/** Moving a PocketBase app into a fresh install: the service (CLI and admin route) and its route. */
@Module({
  imports: [CoreModule, SettingsModule, CollectionsModule, StorageModule],
  controllers: [PocketBaseImportController],
  providers: [PbImportRepository, PocketBaseImportService],
  exports: [PocketBaseImportService],
})
export class PocketBaseImportModule {}
