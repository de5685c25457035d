import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { LogEntry, LogList } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import { Button, EmptyState, ErrorBanner, PageHeader, Spinner, formatDate } from '../../components/ui';
import { LogDetail } from './log-detail';

const PER_PAGE = 50;
const SORTS = [
  { value: '-created', label: 'Newest first' },
  { value: 'created', label: 'Oldest first' },
  { value: '-duration', label: 'Slowest first' },
];
/** The time of day to the second (the detail panel and the cell's title carry the date). */
const formatTime = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const EXAMPLE = 'status >= 400 && url ~ "/api/collections"';

/** The request log of every server: a filter box with the record grammar, a table, one request's detail. */
export function LogsPage() {
  const [filterInput, setFilterInput] = useState('');
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState('-created');
  const [page, setPage] = useState(1);
  const [list, setList] = useState<LogList | null>(null);
  const [filterError, setFilterError] = useState('');
  const [error, setError] = useState('');
  const [open, setOpen] = useState<LogEntry | null>(null);

  const load = useCallback(async () => {
    setError('');
    try {
      setList(await client.logs.list({ filter: filter || undefined, sort, page, perPage: PER_PAGE }));
      setFilterError('');
    } catch (err) {
      if (filter) setFilterError(describeError(err));
      else setError(describeError(err));
    }
  }, [filter, sort, page]);
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
        title="Logs"
        subtitle="Every API request of every server, newest first. Secrets in URLs are redacted."
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
        {filter ? (
          <Button
            onClick={() => {
              setFilterInput('');
              setFilter('');
              setPage(1);
            }}
          >
            Clear
          </Button>
        ) : null}
        <label className="muted small">
          <span className="sr-only">Sort</span>
          <select
            name="sort"
            aria-label="Sort"
            value={sort}
            onChange={(e) => {
              setSort(e.target.value);
              setPage(1);
            }}
          >
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p className="muted small">
        Fields: method, url, route, status, duration, size, ip, userAgent, authKind, authId, requestId,
        errorCode, errorMessage, created.
      </p>
      {filterError ? (
        <div className="field-error filter-error" role="alert">
          {filterError}
        </div>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {list === null && !error && !filterError ? <Spinner /> : null}
      {list && items.length === 0 && !filterError ? (
        <EmptyState title={filter ? 'No request matches the filter' : 'No requests logged yet'}>
          {filter
            ? 'Change the filter or clear it to see every request.'
            : 'Requests appear here about a second after they are answered (PLINTH_LOGS).'}
        </EmptyState>
      ) : null}
      {items.length ? (
        <div className="table-wrap">
          <table className="table logs" data-testid="logs-table">
            <thead>
              <tr>
                <th>Time</th>
                <th className="hide-phone">Method</th>
                <th>URL</th>
                <th>Status</th>
                <th className="hide-phone">Duration</th>
                <th className="hide-phone">Auth</th>
                <th className="actions-col hide-phone">
                  <span className="sr-only">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td className="muted nowrap" title={formatDate(e.created)}>
                    {formatTime(e.created)}
                  </td>
                  <td className="mono hide-phone">{e.method}</td>
                  <td className="mono log-url">
                    {/* On phones this is how a row opens: the Details column is hidden there. */}
                    <button
                      type="button"
                      className="log-url-btn"
                      title={`${e.method} ${e.url}`}
                      onClick={() => setOpen(e)}
                    >
                      <span className="show-phone">{e.method} </span>
                      {e.url}
                    </button>
                  </td>
                  <td>
                    <span className={e.status >= 400 ? 'badge badge-danger' : 'badge'}>{e.status}</span>
                  </td>
                  <td className="muted hide-phone">{e.duration.toFixed(1)} ms</td>
                  <td className="muted hide-phone">{e.authKind}</td>
                  <td className="actions-col hide-phone">
                    <Button small kind="ghost" onClick={() => setOpen(e)}>
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
          <span className="muted" data-testid="page-info">
            Page {list.page} of {list.totalPages} ({list.totalItems} requests)
          </span>
          <Button small disabled={page >= list.totalPages} onClick={() => setPage(page + 1)}>
            Next →
          </Button>
        </div>
      ) : null}
      {open ? <LogDetail entry={open} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
