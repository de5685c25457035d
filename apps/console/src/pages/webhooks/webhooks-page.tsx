import { useEffect, useState } from 'react';
import type { WebhookInput, WebhookModel } from '@plinth/sdk';
import { client } from '../../api/client';
import { EndpointListPage } from '../../components/signed-endpoints';
import { Button } from '../../components/ui';
import { DeliveriesDialog } from './deliveries';
import { WebhookFormDialog } from './webhook-form';

/** Webhooks: endpoints that get record, account and push events, signed; their state, delivery log and secret. */
export function WebhooksPage() {
  const [collections, setCollections] = useState<Array<{ name: string; type: string }>>([]);
  useEffect(() => {
    client.collections
      .list()
      .then((c) => setCollections(c.map((x) => ({ name: x.name, type: x.type }))))
      .catch(() => undefined);
  }, []);

  return (
    <EndpointListPage<WebhookModel>
      api={client.webhooks}
      noun="webhook"
      title="Webhooks"
      subtitle="Plinth POSTs record, account and push events to your endpoints, signed as Standard Webhooks, retrying for about a day until they answer 2xx."
      emptyTitle="No webhooks yet"
      emptyText="A webhook calls your code when records change, e.g. to send a mail when an order is paid."
      testId="webhooks-list"
      logLabel="Deliveries"
      deleteNote="Its delivery log goes with it; events not yet delivered are not sent."
      label={(w) => w.name || w.url}
      body={(w) => (
        <>
          <div className="row-wrap">
            <strong>{w.name || w.url}</strong>
            <span className={w.enabled ? 'badge' : 'badge badge-danger'}>
              {w.enabled ? 'enabled' : 'disabled'}
            </span>
            {w.consecutiveFailures ? (
              <span className="muted small">{w.consecutiveFailures} failed attempt(s) in a row</span>
            ) : null}
          </div>
          <div className="mono small">{w.url}</div>
          <div>
            {w.events.map((e) => (
              <span key={e} className="badge">
                {e === '*' ? 'every event' : e}
              </span>
            ))}
            {w.filter ? <span className="muted small"> where {w.filter}</span> : null}
          </div>
          {w.disabledReason ? <p className="field-error">{w.disabledReason}</p> : null}
          {w.previousSecretValidUntil ? (
            <p className="muted small">
              The previous secret still signs until {new Date(w.previousSecretValidUntil).toLocaleString()}.
            </p>
          ) : null}
        </>
      )}
      trailing={(w, page) => (
        <Button
          small
          onClick={() =>
            void page.run(async () => {
              const r = await client.webhooks.rotateSecret(w.id);
              page.showSecret('New signing secret (the old one works 24 more hours)', r.secret ?? '');
            })
          }
        >
          New secret
        </Button>
      )}
      form={(editing, close, page) => (
        <WebhookFormDialog
          collections={collections}
          editing={editing}
          onClose={() => void close()}
          onSave={async (input: WebhookInput & { url: string; events: string[] }) => {
            if (editing) await client.webhooks.update(editing.id, input);
            else {
              const made = await client.webhooks.create(input);
              page.showSecret('Webhook created: its signing secret', made.secret ?? '');
            }
            await close();
          }}
        />
      )}
      log={(w, close) => <DeliveriesDialog webhook={w} onClose={close} />}
    />
  );
}
