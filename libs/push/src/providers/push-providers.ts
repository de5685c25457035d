import { Injectable } from '@nestjs/common';
import type { Platform } from '../push.types.js';
import { ApnsProvider } from './apns.provider.js';
import { FcmProvider } from './fcm.provider.js';
import type { PushProvider } from './push-provider.js';
import { WebPushProvider } from './web-push.provider.js';

/** The provider of each platform. */
@Injectable()
export class PushProviders {
  private readonly byPlatform: Record<Platform, PushProvider>;

  constructor(fcm: FcmProvider, apns: ApnsProvider, webpush: WebPushProvider) {
    this.byPlatform = { fcm, apns, webpush };
  }

  for(platform: Platform): PushProvider {
    return this.byPlatform[platform];
  }
}
