import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { CollectionsModule } from '@plinth/collections';
import { CoreModule, SettingsModule, SettingsService } from '@plinth/core';
import { JobsModule } from '@plinth/jobs';
import { ApnsProvider } from './providers/apns.provider.js';
import { FcmProvider } from './providers/fcm.provider.js';
import { PushProviders } from './providers/push-providers.js';
import { WebPushProvider } from './providers/web-push.provider.js';
import { PushController } from './push.controller.js';
import { PushDeliveryHandler } from './push-delivery.handler.js';
import { PushEventsModule } from './push-events.js';
import { PushSweepHandler } from './push-sweep.handler.js';
import { PushDevicesService } from './push-devices.service.js';
import { PushMessagesService } from './push-messages.service.js';
import { PushMetrics } from './push-metrics.js';
import { PushClaimsRepository } from './push-claims.repository.js';
import { PushDevicesRepository } from './push-devices.repository.js';
import { PushMessagesRepository } from './push-messages.repository.js';
import { PushTriggersRepository } from './push-triggers.repository.js';
import { PUSH_SETTINGS, PUSH_VAPID_SETTINGS } from './push-settings.js';
import { PushTriggersService } from './push-triggers.service.js';
import { VapidKeysService } from './vapid-keys.service.js';

/** Registers the settings sections and makes sure a VAPID key pair exists. */
@Injectable()
class PushSetup implements OnModuleInit {
  constructor(
    private readonly settings: SettingsService,
    private readonly vapid: VapidKeysService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.settings.register(PUSH_SETTINGS);
    this.settings.register(PUSH_VAPID_SETTINGS);
    await this.vapid.ensureGenerated();
  }
}

/**
 * Push. Both roles get the delivery handler (the jobs lib finds it when the process consumes
 * queues); `http: true` (the server) adds the API and the record-event triggers, which need the
 * collections lib.
 */
@Module({})
export class PushModule {
  static forRoot(opts: { http: boolean }): DynamicModule {
    return {
      module: PushModule,
      imports: [
        CoreModule,
        SettingsModule,
        JobsModule,
        PushEventsModule,
        ...(opts.http ? [CollectionsModule] : []),
      ],
      controllers: opts.http ? [PushController] : [],
      providers: [
        PushSetup,
        PushDevicesRepository,
        PushMessagesRepository,
        PushClaimsRepository,
        PushTriggersRepository,
        VapidKeysService,
        FcmProvider,
        ApnsProvider,
        WebPushProvider,
        PushProviders,
        PushMetrics,
        PushDeliveryHandler,
        PushSweepHandler,
        ...(opts.http ? [PushDevicesService, PushMessagesService, PushTriggersService] : []),
      ],
      exports: [VapidKeysService, ...(opts.http ? [PushMessagesService] : [])],
    };
  }
}
