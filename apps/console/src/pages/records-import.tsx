import { useState } from 'react';
import type { CollectionModel, ImportReport } from '@plinth/sdk';
import { client, describeError } from '../api/client';
import { Button, Dialog, ErrorBanner, Field } from '../components/ui';

/** What a column may set: the record's id, its fields (but files and autodates), an auth record's keys. */
function targets(c: CollectionModel): string[] {
  const fields = c.fields.filter((f) => f.name !== 'id' && f.type !== 'file' && f.type !== 'autodate');
  const auth =
    c.type === 'auth' ? ['email', 'emailVisibility', 'verified', 'password', 'passwordConfirm'] : [];
  return ['id', ...auth, ...fields.map((f) => f.name)];
}

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The server maps columns named as fields; for the others, a field whose name matches loosely ("Due date" → due_date). */
function guessMapping(report: ImportReport, names: string[]): Record<string, string | null> {
  const mapping = { ...report.columns };
  const taken = new Set(Object.values(mapping).filter(Boolean));
  for (const column of report.unknownColumns) {
    const match = names.find((n) => !taken.has(n) && squash(n) === squash(column));
    if (match) {
      mapping[column] = match;
      taken.add(match);
    }
  }
  return mapping;
}

/** The report of a dry run or an import: counts, then each failed row with its problems. */
function ImportResult({ report }: { report: ImportReport }) {
  const [created, updated, failed] = report.dryRun
    ? ['to create', 'to update', 'failing']
    : ['created', 'updated', 'failed'];
  return (
    <section className="import-report" data-testid="import-report" aria-live="polite">
      <p>
        <strong>
          {report.dryRun
            ? 'Dry run: nothing was written.'
            : report.committed
              ? 'Imported.'
              : 'Nothing was imported: a row failed and the import is all or nothing.'}
        </strong>{' '}
        {report.total} rows: {report.inserted} {created}, {report.updated} {updated}, {report.failedCount}{' '}
        {failed}.
      </p>
      {report.unknownColumns.length ? (
        <p className="muted">Skipped columns that name no field: {report.unknownColumns.join(', ')}.</p>
      ) : null}
      {report.failed.length ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Problems</th>
            </tr>
          </thead>
          <tbody>
            {report.failed.map((f) => (
              <tr key={f.row}>
                <td>{f.row}</td>
                <td>{f.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {report.failedCount > report.failed.length ? (
        <p className="muted">… and {report.failedCount - report.failed.length} more failed rows.</p>
      ) : null}
    </section>
  );
}

/**
 * Records page → Import: a CSV, JSON, NDJSON or XLSX file; a dry run reads its columns and checks
 * every row (the mapping guessed from the headers, then editable); the import runs with the same
 * settings once a dry run of them was seen.
 */
export function ImportButton(props: { collection: CollectionModel; onImported: () => void }) {
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<Record<string, string | null> | null>(null);
  const [mode, setMode] = useState<'insert' | 'upsert'>('insert');
  const [atomic, setAtomic] = useState(true);
  const [report, setReport] = useState<ImportReport | null>(null);
  /** The settings of the last dry run: importing needs a dry run of exactly these. */
  const [checked, setChecked] = useState('');
  const [busy, setBusy] = useState<'' | 'check' | 'import'>('');
  const [error, setError] = useState('');
  const names = targets(props.collection);
  const settings = JSON.stringify({ mapping, mode, atomic, file: file?.name });

  const reset = () => {
    setReport(null);
    setChecked('');
    setError('');
  };
  const run = async (dryRun: boolean, chosen = file, map = mapping) => {
    if (!chosen) return;
    setError('');
    setBusy(dryRun ? 'check' : 'import');
    try {
      const r = await client
        .collection(props.collection.name)
        .import(chosen, { dryRun, mode, atomic, mapping: map ?? undefined });
      if (dryRun && !map) {
        // The first look at the file: its columns, and a guess for those the server did not map.
        const guessed = guessMapping(r, names);
        setMapping(guessed);
        const changed = Object.keys(guessed).some((k) => guessed[k] !== r.columns[k]);
        if (changed) {
          await run(true, chosen, guessed);
          return;
        }
        setChecked(JSON.stringify({ mapping: guessed, mode, atomic, file: chosen.name }));
      } else if (dryRun) setChecked(JSON.stringify({ mapping: map, mode, atomic, file: chosen.name }));
      setReport(r);
      if (!dryRun && r.committed) props.onImported();
    } catch (err) {
      setError(describeError(err));
      setReport(null);
    } finally {
      setBusy('');
    }
  };
  const close = () => {
    setOpen(false);
    setFile(null);
    setMapping(null);
    reset();
  };

  return (
    <>
      <Button
        onClick={() => setOpen(true)}
        testId="import-records"
        title="Add records from a CSV, JSON or Excel file"
      >
        Import
      </Button>
      <Dialog
        open={open}
        title={`Import records into ${props.collection.name}`}
        onClose={close}
        wide
        footer={
          <>
            <Button onClick={close}>Close</Button>
            <Button
              onClick={() => void run(true)}
              disabled={!file}
              busy={busy === 'check'}
              testId="import-check"
            >
              Check (dry run)
            </Button>
            <Button
              kind="primary"
              onClick={() => void run(false)}
              disabled={!file || checked !== settings || (report?.dryRun === false && report.committed)}
              busy={busy === 'import'}
              testId="import-run"
              title="Available after a dry run of these settings"
            >
              Import
            </Button>
          </>
        }
      >
        <ErrorBanner error={error} onDismiss={() => setError('')} />
        <Field
          label="File"
          hint="CSV with a header row (UTF-8), a JSON array of records, NDJSON, or an Excel workbook (first sheet, header row). Exports of this page import as they are."
        >
          <input
            type="file"
            data-testid="import-file"
            accept=".csv,.json,.ndjson,.jsonl,.xlsx,text/csv,application/json"
            onChange={(e) => {
              const chosen = e.target.files?.[0] ?? null;
              setFile(chosen);
              setMapping(null);
              reset();
              if (chosen) void run(true, chosen, null);
            }}
          />
        </Field>
        <div className="row-wrap">
          <Field label="Mode" inline>
            <select
              value={mode}
              onChange={(e) => setMode(e.target.value as 'insert' | 'upsert')}
              data-testid="import-mode"
            >
              <option value="insert">Create every row</option>
              <option value="upsert">Update rows whose id exists, create the others</option>
            </select>
          </Field>
          <label className="check" title="Off: the good rows are imported and the others reported">
            <input
              type="checkbox"
              checked={atomic}
              onChange={(e) => setAtomic(e.target.checked)}
              data-testid="import-atomic"
            />
            All or nothing
          </label>
        </div>
        {mapping ? (
          <table className="table" data-testid="import-mapping">
            <caption>Columns of the file and the fields they set</caption>
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Field</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(mapping).map(([column, field]) => (
                <tr key={column}>
                  <td>{column}</td>
                  <td>
                    <select
                      aria-label={`Field for column ${column}`}
                      value={field ?? ''}
                      onChange={(e) => setMapping({ ...mapping, [column]: e.target.value || null })}
                    >
                      <option value="">(skip)</option>
                      {names.map((n) => (
                        <option key={n} value={n}>
                          {n}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {report ? <ImportResult report={report} /> : null}
      </Dialog>
    </>
  );
}
