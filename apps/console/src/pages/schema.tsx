import { useState } from 'react';
import type { CollectionModel, SchemaChange } from '@plinth/sdk';
import { client, describeError, errorsByPath } from '../api/client';
import { SchemaPlan } from '../components/schema-plan';
import { Button, ErrorBanner, Field, PageHeader } from '../components/ui';
import { navigate } from '../router';

/** Export the schema as JSON; import one with a preview of the planned changes before applying it. */
export function SchemaPage() {
  const [text, setText] = useState('');
  const [deleteMissing, setDeleteMissing] = useState(false);
  const [plan, setPlan] = useState<SchemaChange[] | null>(null);
  const [busy, setBusy] = useState<'' | 'export' | 'preview' | 'apply'>('');
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  /** Server collections the file leaves out: what "delete missing" would delete. */
  const [missing, setMissing] = useState<string[] | null>(null);

  const parse = (): CollectionModel[] | null => {
    try {
      const value = JSON.parse(text) as unknown;
      const cols = Array.isArray(value) ? value : (value as { collections?: unknown }).collections;
      if (!Array.isArray(cols)) throw new Error('expected {"collections": [...]} or an array of collections');
      return cols as CollectionModel[];
    } catch (err) {
      setError(`The schema is not valid JSON: ${(err as Error).message}.`);
      return null;
    }
  };

  const run = async (kind: 'preview' | 'apply') => {
    setError('');
    setErrs({});
    setDone('');
    const cols = parse();
    if (!cols) return;
    setBusy(kind);
    try {
      const result = await client.collections.import(cols, { deleteMissing, dryRun: kind === 'preview' });
      setPlan(result.changes);
      const server = await client.collections.list();
      setMissing(
        server
          .filter((s) => !cols.some((c) => (c.id && c.id === s.id) || c.name === s.name))
          .map((s) => s.name),
      );
      if (kind === 'apply')
        setDone(
          `Applied ${result.changes.length} change${result.changes.length === 1 ? '' : 's'}: ${result.changes
            .map((c) => `${c.action} ${c.collection}`)
            .join(', ')}.`,
        );
    } catch (err) {
      setError(describeError(err));
      setErrs(errorsByPath(err));
      setPlan(null);
    } finally {
      setBusy('');
    }
  };

  const exportSchema = async () => {
    setBusy('export');
    setError('');
    try {
      const schema = await client.collections.export();
      setText(JSON.stringify(schema, null, 2));
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(schema, null, 2)], { type: 'application/json' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = 'plinth-schema.json';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy('');
    }
  };

  return (
    <>
      <PageHeader
        title="Import and export the schema"
        subtitle={
          <>
            Keep the collections as a versioned file (the same format as{' '}
            <code>plinth schema export|apply</code>).
          </>
        }
        actions={
          <>
            <Button onClick={() => navigate('/collections')}>Back</Button>
            <Button onClick={() => void exportSchema()} busy={busy === 'export'}>
              Export (download)
            </Button>
          </>
        }
      />
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {Object.keys(errs).length ? (
        <ul className="field-error">
          {Object.entries(errs).map(([p, m]) => (
            <li key={p}>
              {p ? (
                <>
                  <code>{p}</code>:{' '}
                </>
              ) : null}
              {m}
            </li>
          ))}
        </ul>
      ) : null}
      {done ? <div className="banner banner-ok">{done}</div> : null}
      <div className="card stack">
        <Field label="Schema JSON" hint="Paste an exported schema, or choose a file.">
          <textarea
            name="schema"
            className="mono"
            rows={14}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setPlan(null);
              setMissing(null);
            }}
          />
        </Field>
        <input
          type="file"
          accept="application/json,.json"
          aria-label="Schema file"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (f) {
              setText(await f.text());
              setPlan(null);
              setMissing(null);
            }
          }}
        />
        <label className="check">
          <input
            type="checkbox"
            name="deleteMissing"
            checked={deleteMissing}
            onChange={(e) => {
              setDeleteMissing(e.target.checked);
              setPlan(null);
            }}
          />{' '}
          Delete missing collections and fields
        </label>
        <p className="field-hint" data-testid="delete-missing-hint">
          With this on, every collection on the server that the file does not list is deleted, with all its
          records and files, and so is every field that a listed collection leaves out. Off, those collections
          and fields are left as they are (as PocketBase's import does).
          {missing ? (
            missing.length ? (
              <>
                {' '}
                Not in this file: <strong>{missing.join(', ')}</strong>
                {deleteMissing ? ' (would be deleted).' : ' (kept).'}
              </>
            ) : (
              ' Every collection on the server is in this file.'
            )
          ) : null}
        </p>
        <div className="row-wrap">
          <Button onClick={() => void run('preview')} busy={busy === 'preview'} disabled={!text.trim()}>
            Preview changes
          </Button>
          <Button
            kind={deleteMissing ? 'danger' : 'primary'}
            onClick={() => void run('apply')}
            busy={busy === 'apply'}
            disabled={!plan || plan.length === 0}
            title={plan ? undefined : 'Preview the changes first'}
          >
            Apply
          </Button>
        </div>
      </div>
      {plan ? (
        <div className="card">
          <h2>{done ? 'Applied changes' : 'Planned changes'}</h2>
          {plan.length === 0 ? (
            <p className="muted">Nothing to change: the server already has this schema.</p>
          ) : (
            <SchemaPlan plan={plan} />
          )}
        </div>
      ) : null}
    </>
  );
}
