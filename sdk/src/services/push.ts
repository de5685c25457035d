import type { PlinthClient } from '../client.js';
import type {
  DeviceModel,
  DeviceRegistration,
  ListResult,
  PushMessageModel,
  PushRecipients,
  PushSendInput,
  PushTrigger,
  PushSendResult,
  PushTargets,
  RequestOptions,
} from '../types.js';

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });

/** Push: devices and topics for signed-in users; sending and delivery status for admins and push keys. */
export class PushService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  /** Registers this device (FCM/APNs token) or browser (Web Push subscription) for the signed-in user. */
  register(device: DeviceRegistration, options: RequestOptions = {}): Promise<DeviceModel> {
    const body = { ...device } as Record<string, unknown>;
    const sub = body.subscription as { toJSON?: () => unknown } | undefined;
    // A browser PushSubscription serialises to {endpoint, keys}.
    if (sub && typeof sub.toJSON === 'function') body.subscription = sub.toJSON();
    return this.client.send('/api/push/devices', { method: 'POST', body, ...req(options) });
  }

  async unregister(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(`/api/push/devices/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      ...req(options),
    });
  }

  /** The server's VAPID public key, for `pushManager.subscribe({ applicationServerKey })`. */
  async getVapidPublicKey(options: RequestOptions = {}): Promise<string> {
    const result = await this.client.send<{ publicKey: string }>('/api/push/vapid-public-key', {
      auth: false,
      ...req(options),
    });
    return result.publicKey;
  }

  /** Subscribes the user's devices (or the one given) to a topic; answers the devices subscribed. */
  subscribeTopic(
    topic: string,
    options: RequestOptions & { deviceId?: string } = {},
  ): Promise<{ topic: string; devices: string[] }> {
    return this.client.send(`/api/push/topics/${encodeURIComponent(topic)}/subscribe`, {
      method: 'POST',
      body: options.deviceId ? { deviceId: options.deviceId } : {},
      ...req(options),
    });
  }

  unsubscribeTopic(
    topic: string,
    options: RequestOptions & { deviceId?: string } = {},
  ): Promise<{ topic: string; devices: string[] }> {
    return this.client.send(`/api/push/topics/${encodeURIComponent(topic)}/unsubscribe`, {
      method: 'POST',
      body: options.deviceId ? { deviceId: options.deviceId } : {},
      ...req(options),
    });
  }

  /** Admin: registered devices (`user`, `platform`, `active` filters). */
  listDevices(
    query: { user?: string; platform?: string; active?: boolean; page?: number; perPage?: number } = {},
    options: RequestOptions = {},
  ): Promise<ListResult<DeviceModel>> {
    return this.client.send('/api/push/devices', { query: { ...query }, ...req(options) });
  }

  /** Admin: sent messages, newest first. */
  listMessages(
    query: { page?: number; perPage?: number } = {},
    options: RequestOptions = {},
  ): Promise<ListResult<PushMessageModel>> {
    return this.client.send('/api/push/messages', { query: { ...query }, ...req(options) });
  }

  /** Admin or `push:send` key: queues a notification; answers its id and how many devices it addresses (202). */
  send(input: PushSendInput, options: RequestOptions = {}): Promise<PushSendResult> {
    const scheduledAt =
      input.scheduledAt instanceof Date ? input.scheduledAt.toISOString() : input.scheduledAt;
    return this.client.send('/api/push/send', {
      method: 'POST',
      body: { ...input, ...(scheduledAt !== undefined ? { scheduledAt } : {}) },
      ...req(options),
    });
  }

  /** Admin or `push:send` key: the active devices these targets reach now, and which providers are configured. */
  recipients(targets: PushTargets, options: RequestOptions = {}): Promise<PushRecipients> {
    return this.client.send('/api/push/recipients', { method: 'POST', body: { targets }, ...req(options) });
  }

  /** A message with its per-device delivery status. */
  getMessage(id: string, options: RequestOptions = {}): Promise<PushMessageModel> {
    return this.client.send(`/api/push/messages/${encodeURIComponent(id)}`, req(options));
  }

  /** Queues the failed deliveries (dead letters) of a message again. */
  retry(id: string, options: RequestOptions = {}): Promise<{ id: string; retried: number }> {
    return this.client.send(`/api/push/messages/${encodeURIComponent(id)}/retry`, {
      method: 'POST',
      ...req(options),
    });
  }

  /** Admin: the push triggers of a collection (push on record create/update/delete). */
  getTriggers(
    collection: string,
    options: RequestOptions = {},
  ): Promise<{ collection: string; triggers: PushTrigger[] }> {
    return this.client.send(`/api/push/triggers/${encodeURIComponent(collection)}`, req(options));
  }

  /** Admin: replaces the push triggers of a collection (`[]` removes them all). */
  setTriggers(
    collection: string,
    triggers: PushTrigger[],
    options: RequestOptions = {},
  ): Promise<{ collection: string; triggers: PushTrigger[] }> {
    return this.client.send(`/api/push/triggers/${encodeURIComponent(collection)}`, {
      method: 'PUT',
      body: { triggers },
      ...req(options),
    });
  }
}
