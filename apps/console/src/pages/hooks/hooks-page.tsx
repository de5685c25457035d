import { useEffect, useState } from 'react';
import type { HookInput, HookModel } from '@plinth/sdk';
import { client } from '../../api/client';
import { EndpointListPage } from '../../components/signed-endpoints';
import { Button } from '../../components/ui';
import { HookFormDialog } from './hook-form';

/** Blocking hooks: endpoints that allow, patch or refuse record writes and sign-ups before they commit. */
export function HooksPage() {
  const [collections, setCollections] = useState<Array<{ name: string; type: string }>>([]);
  useEffect(() => {
    client.collections
      .list()
      .then((c) =>
        setCollections(c.filter((x) => x.type !== 'view').map((x) => ({ name: x.name, type: x.type }))),
      )
      .catch(() => undefined);
  }, []);

  return (
    <EndpointListPage<HookModel>
      api={client.hooks}
      noun="hook"
      title="Hooks"
      subtitle="Before a write commits, Plinth asks your endpoint (signed as Standard Webhooks) and waits for its answer: allow, allow with changed fields, or refuse with a message the client sees."
      emptyTitle="No hooks yet"
      emptyText="A hook lets your code approve writes, e.g. check stock before an order is created."
      testId="hooks-list"
      deleteNote="Writes stop waiting for it at once."
      label={(h) => h.name || h.url}
      body={(h) => (
        <>
          <div className="row-wrap">
            <strong>{h.name || h.url}</strong>
            <span className={h.enabled ? 'badge' : 'badge badge-danger'}>
              {h.enabled ? 'enabled' : 'disabled'}
            </span>
            <span className="muted small">
              waits {h.timeoutMs} ms, then {h.failurePolicy === 'deny' ? 'refuses' : 'allows'} the write
            </span>
          </div>
          <div className="mono small">{h.url}</div>
          <div>
            {h.events.map((e) => (
              <span key={e} className="badge">
                {e}
              </span>
            ))}
            {h.filter ? <span className="muted small"> where {h.filter}</span> : null}
          </div>
          {h.previousSecretValidUntil ? (
            <p className="muted small">
              The previous secret still signs until {new Date(h.previousSecretValidUntil).toLocaleString()}.
            </p>
          ) : null}
        </>
      )}
      trailing={(h, page) => (
        <Button
          small
          onClick={() =>
            void page.run(async () => {
              const r = await client.hooks.rotateSecret(h.id);
              page.showSecret('New signing secret (the old one works 24 more hours)', r.secret ?? '');
            })
          }
        >
          New secret
        </Button>
      )}
      form={(editing, close, page) => (
        <HookFormDialog
          collections={collections}
          editing={editing}
          onClose={() => void close()}
          onSave={async (input: HookInput & { url: string; events: string[] }) => {
            if (editing) await client.hooks.update(editing.id, input);
            else {
              const made = await client.hooks.create(input);
              page.showSecret('Hook created: its signing secret', made.secret ?? '');
            }
            await close();
          }}
        />
      )}
    />
  );
}
