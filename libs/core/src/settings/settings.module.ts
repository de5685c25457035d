import { Module } from '@nestjs/common';
import { CoreModule } from '../core.module.js';
import { SettingsController } from './settings.controller.js';
import { SettingsRepository } from './settings.repository.js';
import { SettingsService } from './settings.service.js';

/** Run-time settings edited by admins; libs register their sections in `onModuleInit`. */
@Module({
  imports: [CoreModule],
  providers: [SettingsService, SettingsRepository],
  controllers: [SettingsController],
  exports: [SettingsService, SettingsRepository],
})
export class SettingsModule {}
