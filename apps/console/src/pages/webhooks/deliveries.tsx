import { useCallback, useState } from 'react';
import type { WebhookDelivery, WebhookModel } from '@plinth/sdk';
import { client } from '../../api/client';
import { EndpointLogDialog } from '../../components/signed-endpoints';
import { Button, Dialog, formatDate } from '../../components/ui';

const STATUS_LABEL: Record<string, string> = {
  pending: 'waiting to retry',
  sending: 'sending',
  delivered: 'delivered',
  dead: 'failed (dead letter)',
};

/** The delivery log of one webhook: each event's status, its attempts, and replay. */
export function DeliveriesDialog(props: { webhook: WebhookModel; onClose: () => void }) {
  const id = props.webhook.id;
  const [open, setOpen] = useState<WebhookDelivery | null>(null);
  const load = useCallback(() => client.webhooks.deliveries(id, { perPage: 50 }), [id]);

  return (
    <EndpointLogDialog
      title={`Deliveries of ${props.webhook.name || props.webhook.url}`}
      load={load}
      emptyText="No events were sent to this webhook yet."
      testId="deliveries-table"
      onClose={props.onClose}
      actions={(items, log) => (
        <>
          <Button
            small
            onClick={() =>
              void log.act(
                async () => `Sent a test event (delivery ${(await client.webhooks.test(id)).deliveryId}).`,
              )
            }
          >
            Send a test event
          </Button>
          {items.some((d) => d.status === 'dead') ? (
            <Button
              small
              onClick={() =>
                void log.act(
                  async () => `${(await client.webhooks.replay(id)).queued} dead letter(s) queued again.`,
                )
              }
            >
              Retry all failed
            </Button>
          ) : null}
        </>
      )}
      head={
        <>
          <th>Event</th>
          <th>Status</th>
          <th>Attempts</th>
          <th className="hide-phone">Last answer</th>
          <th className="hide-phone">Created</th>
          <th className="actions-col">
            <span className="sr-only">Actions</span>
          </th>
        </>
      }
      row={(d, log) => (
        <>
          <td className="mono">{d.type}</td>
          <td>
            <span className={d.status === 'dead' ? 'badge badge-danger' : 'badge'}>
              {STATUS_LABEL[d.status]}
            </span>
          </td>
          <td>{d.attempts}</td>
          <td className="muted hide-phone">{d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '')}</td>
          <td className="muted hide-phone">{formatDate(d.created)}</td>
          <td className="actions-col">
            <Button
              small
              kind="ghost"
              onClick={() => void client.webhooks.delivery(id, d.id).then(setOpen, log.fail)}
            >
              Details
            </Button>
            {d.status === 'dead' || d.status === 'delivered' ? (
              <Button
                small
                kind="ghost"
                onClick={() =>
                  void log.act(async () => (await client.webhooks.replay(id, d.id), 'Queued again.'))
                }
              >
                Send again
              </Button>
            ) : null}
          </td>
        </>
      )}
    >
      {open ? <DeliveryDetail delivery={open} onClose={() => setOpen(null)} /> : null}
    </EndpointLogDialog>
  );
}

function DeliveryDetail({ delivery, onClose }: { delivery: WebhookDelivery; onClose: () => void }) {
  return (
    <Dialog
      open
      wide
      title={`Delivery ${delivery.id}`}
      onClose={onClose}
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <p className="muted small">
        Receivers see it as <code>webhook-id: msg_{delivery.id}</code>, the same on every attempt.
      </p>
      <ol className="stack">
        {delivery.attemptLog.map((a) => (
          <li key={a.attempt}>
            <strong>Attempt {a.attempt}</strong> at {formatDate(a.at)} · {a.durationMs} ms ·{' '}
            {a.status ? `HTTP ${a.status}` : 'no answer'}
            {a.error ? <div className="field-error">{a.error}</div> : null}
            {a.response ? <pre className="mono small">{a.response}</pre> : null}
          </li>
        ))}
      </ol>
      <h4>Body</h4>
      <pre className="mono small">{JSON.stringify(delivery.payload, null, 2)}</pre>
    </Dialog>
  );
}
