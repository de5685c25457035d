import { useState } from 'react';
import { client, describeError } from '../api/client';
import { Button, ErrorBanner, Field, Notice, PageHeader } from '../components/ui';
import { href } from '../router';

interface ImportNote {
  kind: 'mapped' | 'limited' | 'skipped';
  what: string;
  why: string;
}

/** The server's report (POST /api/import/pocketbase), the same as `npm run plinth -- import pocketbase --json`. */
interface ImportReport {
  dryRun: boolean;
  source: string;
  collections: Array<{
    name: string;
    id: string;
    type: string;
    status: 'imported' | 'planned' | 'skipped';
    skipped?: string;
    records: number;
    files: number;
    notes: ImportNote[];
  }>;
  admins: { imported: number; skipped: Array<{ email: string; why: string }> };
  externalAuths: { imported: number; skipped: number };
  settings: ImportNote[];
  notes: ImportNote[];
}

function upload(file: File, dryRun: boolean): Promise<ImportReport> {
  const form = new FormData();
  form.append('file', file, file.name);
  return client.send<ImportReport>(`/api/import/pocketbase?dryRun=${dryRun}`, { method: 'POST', body: form });
}

function Notes({ notes }: { notes: ImportNote[] }) {
  if (!notes.length) return null;
  return (
    <ul className="import-notes">
      {notes.map((n, i) => (
        <li key={i}>
          <strong>{n.kind}</strong> {n.what}: {n.why}
        </li>
      ))}
    </ul>
  );
}

function Report({ report }: { report: ImportReport }) {
  return (
    <section aria-label="Import report" className="card" data-testid="pb-import-report">
      <h3>{report.dryRun ? 'What the import will do' : 'What was imported'}</h3>
      <table className="table">
        <thead>
          <tr>
            <th>Collection</th>
            <th>Type</th>
            <th>Records</th>
            <th>Files</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {report.collections.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.type}</td>
              <td>{c.status === 'skipped' ? '—' : c.records}</td>
              <td>{c.status === 'skipped' ? '—' : c.files}</td>
              <td>
                {c.skipped ? <p>Skipped: {c.skipped}</p> : null}
                <Notes notes={c.notes} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Admins from PocketBase's superusers: {report.admins.imported}
        {report.admins.skipped.length
          ? ` (${report.admins.skipped.length} skipped: an admin with that email exists)`
          : ''}
        . Linked social identities: {report.externalAuths.imported}.
      </p>
      <h4>Settings</h4>
      <Notes notes={report.settings} />
      <h4>Also</h4>
      <Notes notes={report.notes} />
    </section>
  );
}

/**
 * Settings → Import from PocketBase: upload a PocketBase backup zip, read what the import will do
 * (a dry run that changes nothing), then confirm. Only a fresh install takes an import.
 */
export function PocketBaseImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState<'' | 'preview' | 'import'>('');
  const [error, setError] = useState('');

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setError('');
    setBusy(dryRun ? 'preview' : 'import');
    try {
      setReport(await upload(file, dryRun));
    } catch (err) {
      setError(describeError(err));
      if (dryRun) setReport(null);
    } finally {
      setBusy('');
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Import from PocketBase"
        subtitle="Moves a whole PocketBase app into this fresh install: collections with their rules, records with their ids, files, users with their passwords, superusers as admins."
      />
      <p>
        <a href={href('/settings')}>← Settings</a>
      </p>
      <Notice>
        <span>
          Make a backup in PocketBase (Settings → Backups) and download its zip. The import needs a fresh
          install: no collection but the default, empty users. Large apps import faster from the command line:{' '}
          <code>npm run plinth -- import pocketbase pb_data</code>.
        </span>
      </Notice>
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      <Field label="PocketBase backup (.zip)">
        <input
          type="file"
          accept=".zip,application/zip"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setReport(null);
          }}
        />
      </Field>
      <div className="row-wrap">
        <Button
          onClick={() => void run(true)}
          disabled={!file}
          busy={busy === 'preview'}
          testId="pb-import-preview"
        >
          Check the backup
        </Button>
        {report?.dryRun ? (
          <Button
            kind="primary"
            onClick={() => void run(false)}
            busy={busy === 'import'}
            testId="pb-import-confirm"
          >
            Import now
          </Button>
        ) : null}
      </div>
      {report && !report.dryRun ? (
        <Notice>
          <span>
            Imported. Users and admins sign in again with their PocketBase passwords. Open the{' '}
            <a href={href('/collections')}>collections</a>.
          </span>
        </Notice>
      ) : null}
      {report ? <Report report={report} /> : null}
    </div>
  );
}
