import { Module } from '@nestjs/common';
import { CoreModule } from '@plinth/core';
import { CollectionsRegistry } from './collections.registry.js';
import { CollectionsRepository } from './collections.repository.js';

/**
 * The in-memory schema alone, for processes that read collections without serving them (the worker
 * fans webhook events out with each collection's filters and hidden fields). The server gets the same
 * instance through CollectionsModule.
 */
@Module({
  imports: [CoreModule],
  providers: [CollectionsRepository, CollectionsRegistry],
  exports: [CollectionsRepository, CollectionsRegistry],
})
export class CollectionsRegistryModule {}
