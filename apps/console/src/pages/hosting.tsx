import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DeployModel } from '@plinth/sdk';
import { client, describeError } from '../api/client';
import { Button, ConfirmDialog, ErrorBanner, Field, PageHeader, formatDate } from '../components/ui';
import { DataTable, EmptyState } from '../components/data-table';

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Hosting: the deploys of the site served at /, one-click rollback, and how many deploys are kept. */
export function HostingPage() {
  const [deploys, setDeploys] = useState<DeployModel[] | null>(null);
  const [publicDir, setPublicDir] = useState(false);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState('');
  const [deleting, setDeleting] = useState<DeployModel | null>(null);
  const [deleteError, setDeleteError] = useState('');
  const [keep, setKeep] = useState('');
  const [keepError, setKeepError] = useState('');
  const [savingKeep, setSavingKeep] = useState(false);

  const load = useCallback(async () => {
    try {
      const list = await client.hosting.list();
      setDeploys(list.items);
      setPublicDir(list.publicDir);
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => {
    void load();
    client.settings
      .get()
      .then((s) =>
        setKeep(
          String((s as unknown as Record<string, Record<string, unknown> | undefined>).hosting?.keep ?? ''),
        ),
      )
      .catch(() => undefined);
  }, [load]);

  const activate = async (d: DeployModel) => {
    setBusy(d.id);
    setError('');
    setNotice('');
    try {
      await client.hosting.activate(d.id);
      setNotice(`The deploy of ${formatDate(d.created)} is live on every server.`);
      await load();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy('');
    }
  };

  const remove = async () => {
    if (!deleting) return;
    try {
      await client.hosting.delete(deleting.id);
      setDeleting(null);
      await load();
    } catch (err) {
      setDeleteError(describeError(err));
    }
  };

  const saveKeep = async (e: FormEvent) => {
    e.preventDefault();
    setKeepError('');
    setSavingKeep(true);
    try {
      await client.settings.update({ hosting: { keep: Number(keep) } } as never);
      setNotice(`The last ${keep} deploys are kept for rollback.`);
    } catch (err) {
      setKeepError(describeError(err));
    } finally {
      setSavingKeep(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Hosting"
        subtitle={
          <>
            Your app's web front end, served at / beside the API. Deploy a built folder with{' '}
            <code>
              npm run plinth -- deploy ./dist --url {window.location.origin} --key &lt;admin key&gt;
            </code>
            .
          </>
        }
      />
      {publicDir ? (
        <div className="banner" role="status">
          This server serves PLINTH_PUBLIC_DIR from its disk; deploys are kept but not served while it is set.
        </div>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {notice ? (
        <div className="banner" role="status" data-testid="hosting-notice">
          {notice}
        </div>
      ) : null}
      <DataTable
        rows={deploys}
        rowKey={(d) => d.id}
        testId="deploys-table"
        empty={
          <EmptyState title="Nothing deployed yet">
            Run the deploy command above from your app's folder.
          </EmptyState>
        }
        columns={[
          { header: 'Deployed', cell: (d) => formatDate(d.created), className: 'strong' },
          {
            header: 'State',
            cell: (d) =>
              d.active ? (
                <span className="badge">live</span>
              ) : d.status === 'pending' ? (
                <span className="muted">unfinished</span>
              ) : (
                <span className="muted">ready</span>
              ),
          },
          { header: 'By', cell: (d) => d.createdBy, className: 'muted', hideOnPhone: true },
          { header: 'Files', cell: (d) => String(d.fileCount), className: 'muted' },
          { header: 'Size', cell: (d) => size(d.size), className: 'muted', hideOnPhone: true },
          { header: 'Note', cell: (d) => d.message, className: 'muted', hideOnPhone: true },
        ]}
        actions={(d) =>
          d.active ? null : (
            <>
              {d.status === 'ready' ? (
                <Button small kind="secondary" busy={busy === d.id} onClick={() => void activate(d)}>
                  Roll back to this
                </Button>
              ) : null}
              <Button
                small
                kind="ghost"
                label={`Delete the deploy of ${formatDate(d.created)}`}
                onClick={() => {
                  setDeleteError('');
                  setDeleting(d);
                }}
              >
                Delete
              </Button>
            </>
          )
        }
      />
      <form className="card stack" onSubmit={(e) => void saveKeep(e)} aria-label="Deploys kept for rollback">
        <Field
          label="Deploys kept for rollback"
          hint="Older ones and the files only they use are deleted."
          error={keepError}
        >
          <input
            name="keep"
            type="number"
            min={1}
            max={100}
            value={keep}
            onChange={(e) => setKeep(e.target.value)}
          />
        </Field>
        <div>
          <Button type="submit" busy={savingKeep}>
            Save
          </Button>
        </div>
      </form>
      <ConfirmDialog
        open={!!deleting}
        title="Delete this deploy?"
        confirmLabel="Delete"
        error={deleteError}
        onConfirm={() => void remove()}
        onClose={() => setDeleting(null)}
      >
        It can no longer be rolled back to. The live site does not change.
      </ConfirmDialog>
    </>
  );
}
