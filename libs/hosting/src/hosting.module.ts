import { Module } from '@nestjs/common';
import { CoreModule, SettingsModule } from '@plinth/core';
import { StorageModule } from '@plinth/storage';
import { DeploysController } from './deploys.controller.js';
import { DeploysRepository } from './deploys.repository.js';
import { DeploysService } from './deploys.service.js';
import { SiteService } from './site.service.js';

/** Hosting: deploys of the app's web front end and the site served at `/` (see registerSite). */
@Module({
  imports: [CoreModule, SettingsModule, StorageModule],
  controllers: [DeploysController],
  providers: [DeploysRepository, DeploysService, SiteService],
  exports: [SiteService],
})
export class HostingModule {}
