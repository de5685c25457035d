import { Inject, Injectable } from '@nestjs/common';
import {
  PLINTH_CONFIG,
  SecretBox,
  SettingsRepository,
  SettingsService,
  type ResolvedConfig,
} from '@plinth/core';
import webpush from 'web-push';
import { PUSH_VAPID_SECTION, type PushSettings } from './push-settings.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/**
 * The VAPID key pair: the one configured in settings, else one generated on first start. Replicas
 * starting together generate one each, but only the first insert wins and all read it back.
 */
@Injectable()
export class VapidKeysService {
  private generated?: Promise<{ publicKey: string; privateKey: string }>;
  private readonly box: SecretBox;

  constructor(
    private readonly stored: SettingsRepository,
    private readonly settings: SettingsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.box = new SecretBox(config.secret);
  }

  async get(): Promise<VapidKeys> {
    const s = await this.settings.get<PushSettings>('push');
    const pair =
      s.vapidPublicKey && s.vapidPrivateKey
        ? { publicKey: s.vapidPublicKey, privateKey: s.vapidPrivateKey }
        : await this.generatedPair();
    return { ...pair, subject: s.webpushSubject || this.defaultSubject() };
  }

  /** Creates the stored pair when there is none; safe when several processes race. */
  ensureGenerated(): Promise<{ publicKey: string; privateKey: string }> {
    return this.generatedPair();
  }

  private generatedPair(): Promise<{ publicKey: string; privateKey: string }> {
    if (!this.generated) {
      this.generated = this.loadOrCreate();
      this.generated.catch(() => (this.generated = undefined));
    }
    return this.generated;
  }

  private async loadOrCreate(): Promise<{ publicKey: string; privateKey: string }> {
    const fresh = webpush.generateVAPIDKeys();
    const stored = (await this.stored.writeOnce(PUSH_VAPID_SECTION, {
      publicKey: fresh.publicKey,
      privateKey: this.box.seal(fresh.privateKey),
    })) as { publicKey: string; privateKey: string };
    return {
      publicKey: stored.publicKey,
      privateKey: SecretBox.isSealed(stored.privateKey)
        ? this.box.open(stored.privateKey)
        : stored.privateKey,
    };
  }

  private defaultSubject(): string {
    const url = this.config.http.publicUrl;
    return url.startsWith('https://') ? url : 'mailto:push@localhost';
  }
}
