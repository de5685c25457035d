import { useCallback, useEffect, useState } from 'react';
import type { WebhookInput, WebhookModel } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import { ShownOnceDialog } from '../../components/shown-once';
import { Button, ConfirmDialog, EmptyState, ErrorBanner, PageHeader, Spinner } from '../../components/ui';
import { DeliveriesDialog } from './deliveries';
import { WebhookFormDialog } from './webhook-form';

/** Webhooks: endpoints that get record, account and push events, signed; their state, delivery log and secret. */
export function WebhooksPage() {
  const [hooks, setHooks] = useState<WebhookModel[] | null>(null);
  const [collections, setCollections] = useState<Array<{ name: string; type: string }>>([]);
  const [error, setError] = useState('');
  const [form, setForm] = useState<{ editing?: WebhookModel } | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [log, setLog] = useState<WebhookModel | null>(null);
  const [deleting, setDeleting] = useState<WebhookModel | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setHooks(await client.webhooks.list());
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => {
    void load();
    client.collections
      .list()
      .then((c) => setCollections(c.map((x) => ({ name: x.name, type: x.type }))))
      .catch(() => undefined);
  }, [load]);

  const run = async (work: () => Promise<unknown>) => {
    setError('');
    try {
      await work();
      await load();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const save = async (input: WebhookInput & { url: string; events: string[] }) => {
    if (form?.editing) await client.webhooks.update(form.editing.id, input);
    else {
      const made = await client.webhooks.create(input);
      setSecret({ title: 'Webhook created: its signing secret', value: made.secret ?? '' });
    }
    setForm(null);
    await load();
  };
  const newButton = (
    <Button kind="primary" onClick={() => setForm({})}>
      New webhook
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Webhooks"
        subtitle="Plinth POSTs record, account and push events to your endpoints, signed as Standard Webhooks, retrying for about a day until they answer 2xx."
        actions={newButton}
      />
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {hooks === null && !error ? <Spinner /> : null}
      {hooks && !hooks.length ? (
        <EmptyState title="No webhooks yet" action={newButton}>
          A webhook calls your code when records change, e.g. to send a mail when an order is paid.
        </EmptyState>
      ) : null}
      {hooks && hooks.length ? (
        <ul className="stack" data-testid="webhooks-list">
          {hooks.map((w) => (
            <li key={w.id} className="card">
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
                  The previous secret still signs until{' '}
                  {new Date(w.previousSecretValidUntil).toLocaleString()}.
                </p>
              ) : null}
              <div className="row-wrap">
                <Button small onClick={() => setLog(w)}>
                  Deliveries
                </Button>
                <Button small onClick={() => setForm({ editing: w })}>
                  Edit
                </Button>
                <Button
                  small
                  onClick={() => void run(() => client.webhooks.update(w.id, { enabled: !w.enabled }))}
                >
                  {w.enabled ? 'Disable' : 'Enable'}
                </Button>
                <Button
                  small
                  onClick={() =>
                    void run(async () => {
                      const r = await client.webhooks.rotateSecret(w.id);
                      setSecret({
                        title: 'New signing secret (the old one works 24 more hours)',
                        value: r.secret ?? '',
                      });
                    })
                  }
                >
                  New secret
                </Button>
                <Button small kind="ghost" onClick={() => setDeleting(w)}>
                  Delete
                </Button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {form ? (
        <WebhookFormDialog
          collections={collections}
          editing={form.editing}
          onClose={() => setForm(null)}
          onSave={save}
        />
      ) : null}
      <ShownOnceDialog
        open={!!secret}
        title={secret?.title ?? ''}
        secret={secret?.value ?? ''}
        what="secret"
        onClose={() => setSecret(null)}
      />
      {log ? <DeliveriesDialog webhook={log} onClose={() => setLog(null)} /> : null}
      <ConfirmDialog
        open={!!deleting}
        title={`Delete the webhook ${deleting?.name || deleting?.url || ''}?`}
        confirmLabel="Delete webhook"
        busy={busy}
        onClose={() => setDeleting(null)}
        onConfirm={() => {
          setBusy(true);
          void run(async () => {
            await client.webhooks.delete(deleting!.id);
            setDeleting(null);
          }).finally(() => setBusy(false));
        }}
      >
        <p>Its delivery log goes with it; events not yet delivered are not sent.</p>
      </ConfirmDialog>
    </>
  );
}
