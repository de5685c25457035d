import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ApiKeyModel, NewApiKey } from '@plinth/sdk';
import { client, describeError, errorsByPath } from '../api/client';
import { Button, ConfirmDialog, Dialog, ErrorBanner, Field, PageHeader, formatDate } from '../components/ui';
import { useCheckSet } from '../components/check-set';
import { DataTable, EmptyState } from '../components/data-table';
import { ShownOnceDialog } from '../components/shown-once';

/** API keys: created with scopes, shown once, revoked; the list says when each was last used. */
export function KeysPage() {
  const [keys, setKeys] = useState<ApiKeyModel[] | null>(null);
  const [collections, setCollections] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyModel | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState('');

  const load = useCallback(async () => {
    try {
      setKeys(await client.keys.list());
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => {
    void load();
    client.collections
      .list()
      .then((c) => setCollections(c.map((x) => x.name)))
      .catch(() => undefined);
  }, [load]);

  const revoke = async () => {
    if (!revoking) return;
    setRevokeBusy(true);
    try {
      await client.keys.delete(revoking.id);
      setRevoking(null);
      await load();
    } catch (err) {
      setRevokeError(describeError(err));
    } finally {
      setRevokeBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="API keys"
        subtitle="Keys let servers and scripts call the API without a user. Send one as Authorization: Bearer <key>."
        actions={
          <Button kind="primary" onClick={() => setCreating(true)}>
            New API key
          </Button>
        }
      />
      <ErrorBanner error={error} />
      {error && keys === null ? null : (
        <DataTable
          rows={keys}
          rowKey={(k) => k.id}
          testId="keys-table"
          empty={
            <EmptyState
              title="No API keys yet"
              action={
                <Button kind="primary" onClick={() => setCreating(true)}>
                  Create an API key
                </Button>
              }
            >
              Create a key with only the scopes a program needs, e.g. <code>posts:read</code>.
            </EmptyState>
          }
          columns={[
            { header: 'Name', cell: (k) => k.name, className: 'strong' },
            {
              header: 'Scopes',
              cell: (k) =>
                k.scopes.map((s) => (
                  <span key={s} className="badge">
                    {s}
                  </span>
                )),
            },
            { header: 'Created', cell: (k) => formatDate(k.created), className: 'muted', hideOnPhone: true },
            {
              header: 'Last used',
              cell: (k) => (k.lastUsedAt ? formatDate(k.lastUsedAt) : 'never'),
              className: 'muted',
            },
            {
              header: 'Expires',
              cell: (k) => (k.expiresAt ? formatDate(k.expiresAt) : 'never'),
              className: 'muted',
              hideOnPhone: true,
            },
          ]}
          actions={(k) => (
            <Button
              small
              kind="ghost"
              label={`Revoke ${k.name}`}
              onClick={() => {
                setRevokeError('');
                setRevoking(k);
              }}
            >
              Revoke
            </Button>
          )}
        />
      )}
      {creating ? (
        <CreateKeyDialog
          collections={collections}
          onClose={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
            void load();
          }}
        />
      ) : null}
      <ShownOnceDialog
        open={!!created}
        title={`Key ${created?.name ?? ''} created`}
        secret={created?.key ?? ''}
        what="key"
        testId="new-key"
        onClose={() => setCreated(null)}
      >
        <p className="muted small">Plinth keeps only a hash of it. Scopes: {created?.scopes.join(', ')}</p>
      </ShownOnceDialog>
      <ConfirmDialog
        open={!!revoking}
        title={`Revoke the key ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke key"
        busy={revokeBusy}
        error={revokeError}
        onClose={() => setRevoking(null)}
        onConfirm={() => void revoke()}
      >
        <p>
          Programs using this key get 401 from their next request on. A revoked key cannot be restored; create
          a new one instead.
        </p>
      </ConfirmDialog>
    </>
  );
}

function CreateKeyDialog(props: {
  collections: string[];
  onClose: () => void;
  onCreated: (k: NewApiKey) => void;
}) {
  const [name, setName] = useState('');
  const { values: scopes, box } = useCheckSet('scope');
  const [extra, setExtra] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setErrs({});
    const all = [
      ...scopes,
      ...extra
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ];
    try {
      const k = await client.keys.create({
        name,
        scopes: all,
        expiresAt: expiresAt ? new Date(expiresAt).toISOString() : undefined,
      });
      props.onCreated(k);
    } catch (err) {
      setError(describeError(err));
      setErrs(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };
  const scopeErrors = Object.entries(errs)
    .filter(([k]) => k.startsWith('scopes'))
    .map(([, v]) => v)
    .join('; ');

  return (
    <Dialog
      open
      wide
      title="New API key"
      onClose={props.onClose}
      footer={
        <>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" type="submit" form="key-form" busy={busy} testId="create-key">
            Create key
          </Button>
        </>
      }
    >
      <form id="key-form" className="stack" onSubmit={submit}>
        <ErrorBanner error={error} />
        <Field label="Name" hint="Says who uses it, e.g. “nightly export”." error={errs.name}>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <fieldset className="field">
          <legend className="field-label">Scopes</legend>
          <div className="row-wrap">
            {box('admin', 'admin (everything)')}
            {box('push:send')}
          </div>
          {props.collections.length ? (
            <div className="scope-grid">
              {props.collections.map((c) => (
                <div key={c} className="scope-row">
                  <span className="mono">{c}</span>
                  {box(`${c}:read`, 'read')}
                  {box(`${c}:write`, 'write')}
                </div>
              ))}
            </div>
          ) : null}
          {scopeErrors ? <span className="field-error">{scopeErrors}</span> : null}
        </fieldset>
        <Field label="Other scopes (comma separated)" hint="For collections created later.">
          <input className="mono" value={extra} onChange={(e) => setExtra(e.target.value)} />
        </Field>
        <Field label="Expires (optional)" error={errs.expiresAt}>
          <input type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
        </Field>
      </form>
    </Dialog>
  );
}
