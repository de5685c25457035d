import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { auditDiffText, type AuditEntry, type AuditList } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import {
  Button,
  Dialog,
  EmptyState,
  ErrorBanner,
  PageHeader,
  Spinner,
  formatDate,
} from '../../components/ui';
import '../dashboard/dashboard.css';

const PER_PAGE = 50;
const EXAMPLE = 'action ~ "collection." && created > "2026-01-01"';
const who = (e: AuditEntry) =>
  e.actorKind === 'system' ? 'system (command line or job)' : `${e.actorKind} ${e.actorName || e.actorId}`;

/** Who changed what: every admin action, newest first, with a filter box in the record grammar. */
export function AuditPage() {
  const [filterInput, setFilterInput] = useState('');
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(1);
  const [list, setList] = useState<AuditList | null>(null);
  const [filterError, setFilterError] = useState('');
  const [error, setError] = useState('');
  const [open, setOpen] = useState<AuditEntry | null>(null);

  const load = useCallback(async () => {
    setError('');
    try {
      setList(await client.audit.list({ filter: filter || undefined, page, perPage: PER_PAGE }));
      setFilterError('');
    } catch (err) {
      if (filter) setFilterError(describeError(err));
      else setError(describeError(err));
    }
  }, [filter, page]);
  useEffect(() => void load(), [load]);

  const applyFilter = (e: FormEvent) => {
    e.preventDefault();
    setFilter(filterInput.trim());
    setPage(1);
  };
  const items = list?.items ?? [];

  return (
    <>
      <PageHeader
        title="Audit"
        subtitle="Every change admins and API keys made: schema, rules, settings, keys, admins, pushes, imports. Secrets show only that they changed."
        actions={<Button onClick={() => void load()}>Refresh</Button>}
      />
      <form className="filter-bar logs-filter" onSubmit={applyFilter} role="search">
        <input
          name="filter"
          className="mono"
          aria-label="Filter"
          value={filterInput}
          onChange={(e) => setFilterInput(e.target.value)}
          placeholder={`Filter, e.g. ${EXAMPLE}`}
        />
        <Button type="submit" kind="primary">
          Filter
        </Button>
      </form>
      <p className="muted small">
        Fields: action, targetType, targetId, targetName, actorKind, actorId, actorName, ip, requestId,
        summary, created.
      </p>
      {filterError ? (
        <div className="field-error filter-error" role="alert">
          {filterError}
        </div>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {list === null && !error && !filterError ? <Spinner /> : null}
      {list && items.length === 0 && !filterError ? (
        <EmptyState title={filter ? 'No entry matches the filter' : 'No admin action recorded yet'}>
          {filter
            ? 'Change the filter or clear it.'
            : 'Changes to collections, settings, keys and admins appear here.'}
        </EmptyState>
      ) : null}
      {items.length ? (
        <div className="table-wrap">
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Action</th>
                <th>What</th>
                <th className="hide-phone">Who</th>
                <th className="hide-phone">IP</th>
                <th className="actions-col">
                  <span className="sr-only">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td className="muted nowrap">{formatDate(e.created)}</td>
                  <td className="mono">{e.action}</td>
                  <td>{e.summary || e.targetName}</td>
                  <td className="hide-phone">{who(e)}</td>
                  <td className="muted mono hide-phone">{e.ip}</td>
                  <td className="actions-col">
                    <Button small kind="ghost" label={`Details of ${e.action}`} onClick={() => setOpen(e)}>
                      Details
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list && list.totalPages > 1 ? (
        <div className="pager">
          <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
            ← Previous
          </Button>
          <span className="muted">
            Page {list.page} of {list.totalPages} ({list.totalItems} entries)
          </span>
          <Button small disabled={page >= list.totalPages} onClick={() => setPage(page + 1)}>
            Next →
          </Button>
        </div>
      ) : null}
      {open ? <AuditDetail entry={open} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

/** One entry; every value and the diff are text (React escapes them), never HTML. */
function AuditDetail({ entry, onClose }: { entry: AuditEntry; onClose: () => void }) {
  const rows: Array<[string, string]> = [
    ['Action', entry.action],
    ['Time', `${formatDate(entry.created)} (${entry.created})`],
    ['Target', [entry.targetType, entry.targetName, entry.targetId].filter(Boolean).join(' · ')],
    ['Who', who(entry)],
    ['Client IP', entry.ip || '(none)'],
    ['Request id', entry.requestId || '(none)'],
    ['Summary', entry.summary],
  ];
  return (
    <Dialog
      open
      wide
      title={entry.action}
      onClose={onClose}
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <dl className="log-detail" data-testid="audit-detail">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className="mono">{value}</dd>
          </div>
        ))}
      </dl>
      {entry.changes.length ? (
        <>
          <h3>Changes</h3>
          <pre className="audit-diff mono" data-testid="audit-diff">
            {auditDiffText(entry.changes)}
          </pre>
        </>
      ) : null}
    </Dialog>
  );
}
