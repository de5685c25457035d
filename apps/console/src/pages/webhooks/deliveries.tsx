import { useCallback, useEffect, useState } from 'react';
import type { WebhookDelivery, WebhookDeliveryList, WebhookModel } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import { Button, Dialog, ErrorBanner, Spinner, formatDate } from '../../components/ui';

const STATUS_LABEL: Record<string, string> = {
  pending: 'waiting to retry',
  sending: 'sending',
  delivered: 'delivered',
  dead: 'failed (dead letter)',
};

/** The delivery log of one webhook: each event's status, its attempts, and replay. */
export function DeliveriesDialog(props: { webhook: WebhookModel; onClose: () => void }) {
  const id = props.webhook.id;
  const [list, setList] = useState<WebhookDeliveryList | null>(null);
  const [open, setOpen] = useState<WebhookDelivery | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');

  const load = useCallback(async () => {
    try {
      setList(await client.webhooks.deliveries(id, { perPage: 50 }));
    } catch (err) {
      setError(describeError(err));
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  const act = async (work: () => Promise<string>) => {
    setError('');
    try {
      setNote(await work());
      await load();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const dead = list?.items.filter((d) => d.status === 'dead').length ?? 0;

  return (
    <Dialog
      open
      wide
      title={`Deliveries of ${props.webhook.name || props.webhook.url}`}
      onClose={props.onClose}
      footer={<Button onClick={props.onClose}>Close</Button>}
    >
      <ErrorBanner error={error} />
      <div className="row-wrap">
        <Button small onClick={() => void load()}>
          Refresh
        </Button>
        <Button
          small
          onClick={() =>
            void act(
              async () => `Sent a test event (delivery ${(await client.webhooks.test(id)).deliveryId}).`,
            )
          }
        >
          Send a test event
        </Button>
        {dead ? (
          <Button
            small
            onClick={() =>
              void act(
                async () => `${(await client.webhooks.replay(id)).queued} dead letter(s) queued again.`,
              )
            }
          >
            Retry all failed
          </Button>
        ) : null}
      </div>
      {note ? (
        <p className="muted small" role="status">
          {note}
        </p>
      ) : null}
      {list === null && !error ? <Spinner /> : null}
      {list && !list.items.length ? <p className="muted">No events were sent to this webhook yet.</p> : null}
      {list && list.items.length ? (
        <div className="table-wrap">
          <table className="table" data-testid="deliveries-table">
            <thead>
              <tr>
                <th>Event</th>
                <th>Status</th>
                <th>Attempts</th>
                <th className="hide-phone">Last answer</th>
                <th className="hide-phone">Created</th>
                <th className="actions-col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((d) => (
                <tr key={d.id}>
                  <td className="mono">{d.type}</td>
                  <td>
                    <span className={d.status === 'dead' ? 'badge badge-danger' : 'badge'}>
                      {STATUS_LABEL[d.status]}
                    </span>
                  </td>
                  <td>{d.attempts}</td>
                  <td className="muted hide-phone">
                    {d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '')}
                  </td>
                  <td className="muted hide-phone">{formatDate(d.created)}</td>
                  <td className="actions-col">
                    <Button
                      small
                      kind="ghost"
                      onClick={() =>
                        void client.webhooks
                          .delivery(id, d.id)
                          .then(setOpen, (e) => setError(describeError(e)))
                      }
                    >
                      Details
                    </Button>
                    {d.status === 'dead' || d.status === 'delivered' ? (
                      <Button
                        small
                        kind="ghost"
                        onClick={() =>
                          void act(async () => (await client.webhooks.replay(id, d.id), 'Queued again.'))
                        }
                      >
                        Send again
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {open ? <DeliveryDetail delivery={open} onClose={() => setOpen(null)} /> : null}
    </Dialog>
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
