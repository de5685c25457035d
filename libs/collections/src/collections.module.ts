import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { CoreModule } from '@plinth/core';
import { AuthRecordLoader } from './records/auth-record.loader.js';
import { BatchService } from './records/batch.service.js';
import { BeforeWrite } from './records/before-write.js';
import { ChangeOutbox } from './records/change-outbox.js';
import { RecordEvents } from './records/record-events.js';
import { ExportController } from './records/export/export.controller.js';
import { RecordExporter } from './records/export/record-exporter.js';
import { ImportController } from './records/import/import.controller.js';
import { RecordImporter } from './records/import/record-importer.js';
import { RecordsController } from './records/records.controller.js';
import { RecordsRepository } from './records/records.repository.js';
import { RecordAggregator } from './records/read/record-aggregator.js';
import { RecordReader } from './records/read/record-reader.js';
import { RecordFilesPort } from './records/record-ports.js';
import { RecordsService } from './records/records.service.js';
import { RecordRules } from './records/rules/record-rules.js';
import { RecordCreator } from './records/write/record-creator.js';
import { RecordDeleter } from './records/write/record-deleter.js';
import { RecordUpdater } from './records/write/record-updater.js';
import { WriteSteps } from './records/write/write-steps.js';
import { WriteLimits } from './records/write-limits.js';
import { CollectionsController } from './registry/collections.controller.js';
import { CollectionsRegistryModule } from './registry/collections-registry.module.js';
import { CollectionsService } from './registry/collections.service.js';
import { SchemaParts } from './registry/schema-parts.js';
import { SchemaTransfer } from './registry/schema-transfer.js';
import { RuleCheckController } from './registry/rule-check.controller.js';
import { ViewSync } from './views/view-sync.js';

/** Collections (schema + DDL), records CRUD, batch and the record change bus. */
@Module({
  imports: [CoreModule, CollectionsRegistryModule],
  controllers: [
    CollectionsController,
    RecordsController,
    ExportController,
    ImportController,
    RuleCheckController,
  ],
  providers: [
    CollectionsService,
    RecordsRepository,
    RecordRules,
    RecordFilesPort,
    RecordReader,
    RecordAggregator,
    RecordExporter,
    RecordImporter,
    WriteSteps,
    RecordCreator,
    RecordUpdater,
    RecordDeleter,
    RecordsService,
    BatchService,
    RecordEvents,
    ChangeOutbox,
    BeforeWrite,
    AuthRecordLoader,
    WriteLimits,
    ViewSync,
    SchemaParts,
    SchemaTransfer,
  ],
  exports: [
    CollectionsRegistryModule,
    CollectionsService,
    RecordsService,
    RecordEvents,
    ChangeOutbox,
    BeforeWrite,
    AuthRecordLoader,
    SchemaParts,
  ],
})
export class CollectionsModule implements OnApplicationBootstrap {
  constructor(private readonly collections: CollectionsService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.collections.seedDefaults();
  }
}
