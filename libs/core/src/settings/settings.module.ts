import { Global, Module } from '@nestjs/common';
import { SettingsController } from './settings.controller.js';
import { SettingsRepository } from './settings.repository.js';
import { SettingsService } from './settings.service.js';

/** Run-time settings edited by admins; libs register their sections in `onModuleInit`. */
@Global()
@Module({
  providers: [SettingsService, SettingsRepository],
  controllers: [SettingsController],
  exports: [SettingsService],
})
export class SettingsModule {}
