import type { PlinthClient } from '../client.js';
import type { ApiAnswer, RequestOptions } from '../types.js';

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });
const path = (id: string) => `/api/webhooks/${encodeURIComponent(id)}`;

export type WebhookModel = ApiAnswer<'/api/webhooks', 'get'>['items'][number];
/** The answer of `webhooks.create` and `rotateSecret`: the only time `secret` is shown. */
export type NewWebhook = ApiAnswer<'/api/webhooks', 'post'>;
export type WebhookDeliveryList = ApiAnswer<'/api/webhooks/{id}/deliveries', 'get'>;
export type WebhookDelivery = ApiAnswer<'/api/webhooks/{id}/deliveries/{deliveryId}', 'get'>;

export interface WebhookInput {
  name?: string;
  url?: string;
  /** `posts.create`, `posts.update`, `posts.delete`, `posts.*` or `*`. */
  events?: string[];
  /** Record filter grammar, judged on each record: `status = "paid"`. */
  filter?: string;
  includeHidden?: boolean;
  enabled?: boolean;
}

/** Admin: webhooks (`/api/webhooks`), their delivery log, replay and test events. */
export class WebhooksService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  async list(options: RequestOptions = {}): Promise<WebhookModel[]> {
    return (await this.client.send<{ items: WebhookModel[] }>('/api/webhooks', req(options))).items;
  }

  get(id: string, options: RequestOptions = {}): Promise<WebhookModel> {
    return this.client.send(path(id), req(options));
  }

  /** The answer carries the signing secret (`whsec_...`): store it now, it is not shown again. */
  create(
    input: WebhookInput & { url: string; events: string[] },
    options: RequestOptions = {},
  ): Promise<NewWebhook> {
    return this.client.send('/api/webhooks', { method: 'POST', body: input, ...req(options) });
  }

  update(id: string, input: WebhookInput, options: RequestOptions = {}): Promise<WebhookModel> {
    return this.client.send(path(id), { method: 'PATCH', body: input, ...req(options) });
  }

  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(path(id), { method: 'DELETE', ...req(options) });
  }

  /** A new secret; the old one keeps signing beside it for 24 hours. */
  rotateSecret(id: string, options: RequestOptions = {}): Promise<NewWebhook> {
    return this.client.send(`${path(id)}/rotate-secret`, { method: 'POST', ...req(options) });
  }

  test(id: string, options: RequestOptions = {}): Promise<{ deliveryId: string }> {
    return this.client.send(`${path(id)}/test`, { method: 'POST', ...req(options) });
  }

  deliveries(
    id: string,
    query: { status?: 'pending' | 'sending' | 'delivered' | 'dead'; page?: number; perPage?: number } = {},
    options: RequestOptions = {},
  ): Promise<WebhookDeliveryList> {
    return this.client.send(`${path(id)}/deliveries`, { query, ...req(options) });
  }

  delivery(id: string, deliveryId: string, options: RequestOptions = {}): Promise<WebhookDelivery> {
    return this.client.send(`${path(id)}/deliveries/${encodeURIComponent(deliveryId)}`, req(options));
  }

  /** Sends one delivery again (same `webhook-id`), or with no delivery id every dead letter. */
  replay(id: string, deliveryId?: string, options: RequestOptions = {}): Promise<{ queued: number }> {
    const to = deliveryId
      ? `${path(id)}/deliveries/${encodeURIComponent(deliveryId)}/replay`
      : `${path(id)}/replay-dead`;
    return this.client.send(to, { method: 'POST', ...req(options) });
  }
}
