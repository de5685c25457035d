import { useCallback, useEffect, useState } from 'react';
import { client, describeError } from '../api/client';
import {
  Button,
  ConfirmDialog,
  ErrorBanner,
  Field,
  formatDate,
  Notice,
  PageHeader,
  Spinner,
} from '../components/ui';

/** An archive in the backup location (GET /api/backups). */
interface Backup {
  name: string;
  size: number;
  created: string;
}

interface Running {
  name: string;
  created: string;
  stage: 'tables' | 'files' | 'done';
  done: number;
  total: number;
}

interface BackupList {
  items: Backup[];
  running: Running | null;
}

const size = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KiB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const path = (name: string) => `/api/backups/${encodeURIComponent(name)}`;

function Progress({ running }: { running: Running }) {
  const what = running.stage === 'files' ? 'files' : 'tables';
  return (
    <div className="card" data-testid="backup-progress">
      <p>
        Writing {running.name}: {what} {running.done} of {running.total || '…'}
      </p>
      <progress max={Math.max(1, running.total)} value={running.done} aria-label="Backup progress" />
    </div>
  );
}

/**
 * Backups: make one (its progress shows while it is written), download, upload, restore (which replaces
 * the whole install, after a typed confirmation) and delete.
 */
export function BackupsPage() {
  const [list, setList] = useState<BackupList | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');
  const [restoring, setRestoring] = useState<Backup | null>(null);
  const [deleting, setDeleting] = useState<Backup | null>(null);
  const [dialogError, setDialogError] = useState('');
  const [done, setDone] = useState('');

  const load = useCallback(async () => {
    try {
      setList(await client.send<BackupList>('/api/backups'));
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => void load(), [load]);
  // Poll while a backup is being written, so its progress and then the archive show.
  useEffect(() => {
    if (!list?.running) return;
    const timer = setTimeout(() => void load(), 700);
    return () => clearTimeout(timer);
  }, [list, load]);

  const run = async (what: string, work: () => Promise<unknown>) => {
    setError('');
    setDone('');
    setBusy(what);
    try {
      await work();
      await load();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy('');
    }
  };

  const download = (b: Backup) =>
    run(`download ${b.name}`, async () => {
      const res = await client.sendForResponse(path(b.name));
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = b.name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });

  const upload = (file: File) =>
    run('upload', async () => {
      const form = new FormData();
      form.append('file', file, file.name);
      const b = await client.send<Backup>('/api/backups/upload', { method: 'POST', body: form });
      setDone(`Uploaded ${b.name}: its manifest and checksums are intact. Restore it from the list.`);
    });

  const restore = async () => {
    if (!restoring) return;
    setDialogError('');
    setBusy('restore');
    try {
      const report = await client.send<{ rows: number; files: number }>(`${path(restoring.name)}/restore`, {
        method: 'POST',
      });
      setDone(
        `Restored ${restoring.name}: ${report.rows} rows and ${report.files} files. Sessions are those of the backup: if you are signed out, sign in with an admin account it holds.`,
      );
      setRestoring(null);
      await load();
    } catch (err) {
      setDialogError(describeError(err));
    } finally {
      setBusy('');
    }
  };

  const remove = async () => {
    if (!deleting) return;
    setDialogError('');
    setBusy('delete');
    try {
      await client.send(path(deleting.name), { method: 'DELETE' });
      setDeleting(null);
      await load();
    } catch (err) {
      setDialogError(describeError(err));
    } finally {
      setBusy('');
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Backups"
        subtitle="Archives of the whole install (collections, records, users, settings and stored files), written from one consistent moment while the app runs."
        actions={
          <Button
            kind="primary"
            onClick={() => void run('create', () => client.send('/api/backups', { method: 'POST' }))}
            busy={busy === 'create'}
            disabled={!!list?.running}
            testId="backup-create"
          >
            Create backup
          </Button>
        }
      />
      <Notice>
        <span>
          Backups are kept under the data directory (<code>backups/</code>). From the command line:{' '}
          <code>npm run plinth -- backup create|list|restore|delete</code>. To make them on a schedule, add a
          schedule that runs the built-in backup job on the <a href="#/schedules">Schedules</a> page; how many
          to keep is set in <a href="#/settings">Settings → Backups</a>.
        </span>
      </Notice>
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {done ? (
        <Notice>
          <span role="status">{done}</span>
        </Notice>
      ) : null}
      {list?.running ? <Progress running={list.running} /> : null}
      <Field
        label="Upload a backup (.zip)"
        hint="It is checked (manifest, sizes, checksums) before it is kept."
      >
        <input
          type="file"
          accept=".zip,application/zip"
          disabled={busy === 'upload'}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void upload(file);
          }}
        />
      </Field>
      {!list ? (
        <Spinner />
      ) : list.items.length === 0 ? (
        <p className="muted">No backups yet.</p>
      ) : (
        <table className="table" aria-label="Backups">
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
              <th>Created</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((b) => (
              <tr key={b.name}>
                <td>{b.name}</td>
                <td>{size(b.size)}</td>
                <td>{formatDate(b.created)}</td>
                <td className="row-wrap">
                  <Button
                    small
                    onClick={() => void download(b)}
                    busy={busy === `download ${b.name}`}
                    label={`Download ${b.name}`}
                  >
                    Download
                  </Button>
                  <Button small onClick={() => setRestoring(b)} label={`Restore ${b.name}`}>
                    Restore
                  </Button>
                  <Button small kind="danger" onClick={() => setDeleting(b)} label={`Delete ${b.name}`}>
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={!!restoring}
        title={`Restore ${restoring?.name ?? ''}?`}
        confirmLabel="Replace everything"
        confirmText="RESTORE"
        busy={busy === 'restore'}
        error={dialogError}
        onConfirm={() => void restore()}
        onClose={() => {
          setRestoring(null);
          setDialogError('');
        }}
      >
        Every collection, record, user, admin, setting and file of this install is replaced by what the backup
        holds; changes made since it was taken are lost. The app answers 503 while it runs. Make a backup
        first if you may need today&apos;s data.
      </ConfirmDialog>
      <ConfirmDialog
        open={!!deleting}
        title={`Delete ${deleting?.name ?? ''}?`}
        confirmLabel="Delete backup"
        busy={busy === 'delete'}
        error={dialogError}
        onConfirm={() => void remove()}
        onClose={() => {
          setDeleting(null);
          setDialogError('');
        }}
      >
        The archive is deleted from the backup location. The install itself is not changed.
      </ConfirmDialog>
    </div>
  );
}
