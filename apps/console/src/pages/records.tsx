import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CollectionModel, FieldModel, ListResult, RecordModel } from '@plinth/sdk';
import { client, describeError } from '../api/client';
import {
  Button,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  PageHeader,
  Spinner,
  formatDate,
} from '../components/ui';
import { href, navigate } from '../router';
import { RecordForm } from './record-form';

const PER_PAGE = [10, 30, 100, 500];

function cellText(f: FieldModel | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (f?.type === 'date' || (!f && typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)))
    return formatDate(value);
  if (f?.type === 'bool') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const SYSTEM_KEYS = new Set(['id', 'collectionId', 'collectionName', 'created', 'updated', 'expand']);

/** An expanded relation as a person reads it: the first text value of each related record. */
function relationText(value: unknown): string {
  const one = (x: unknown) => {
    if (!x || typeof x !== 'object') return '';
    const r = x as RecordModel;
    const label = Object.entries(r).find(([k, v]) => !SYSTEM_KEYS.has(k) && typeof v === 'string' && v);
    return label ? `${String(label[1])} (…${r.id.slice(-6)})` : r.id;
  };
  return Array.isArray(value) ? value.map(one).join(', ') : one(value);
}

function filterExample(c: CollectionModel): string {
  const f = c.fields.find((x) => ['text', 'number', 'bool'].includes(x.type));
  if (!f) return "created > '2025-01-01'";
  if (f.type === 'number') return `${f.name} > 10 && created > '2025-01-01'`;
  if (f.type === 'bool') return `${f.name} = true`;
  return `${f.name} ~ 'word' && created > '2025-01-01'`;
}

/** The records of one collection: a page of a sortable table with a filter bar. */
export function RecordsPage({ name }: { name: string; query?: URLSearchParams }) {
  const [collection, setCollection] = useState<CollectionModel | null>(null);
  const [result, setResult] = useState<ListResult<RecordModel> | null>(null);
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState(30);
  const [sort, setSort] = useState('-created');
  const [filterInput, setFilterInput] = useState('');
  const [filter, setFilter] = useState('');
  const [error, setError] = useState('');
  const [filterError, setFilterError] = useState('');
  const [loading, setLoading] = useState(false);
  const [editing, setEditing] = useState<RecordModel | 'new' | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState<string[] | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState('');
  const [hiddenCols, setHiddenCols] = useState<Set<string>>(new Set());
  const [chooser, setChooser] = useState(false);

  useEffect(() => {
    setCollection(null);
    setResult(null);
    setPage(1);
    setFilter('');
    setFilterInput('');
    setSelected(new Set());
    client.collections
      .get(name)
      .then(setCollection)
      .catch((err) => setError(describeError(err)));
  }, [name]);

  // Relations are expanded, so the table shows the related records, not only their ids.
  const expand =
    collection?.name === name
      ? collection.fields
          .filter((f) => f.type === 'relation')
          .map((f) => f.name)
          .join(',')
      : null;
  const load = useCallback(async () => {
    if (expand === null) return;
    setLoading(true);
    try {
      const r = await client
        .collection(name)
        .getList({ page, perPage, sort, filter: filter || undefined, expand: expand || undefined });
      setResult(r as ListResult<RecordModel>);
      setFilterError('');
      setError('');
    } catch (err) {
      if (filter) setFilterError(describeError(err));
      else setError(describeError(err));
    } finally {
      setLoading(false);
    }
  }, [name, page, perPage, sort, filter, expand]);
  useEffect(() => {
    void load();
  }, [load]);

  if (!collection) return error ? <ErrorBanner error={error} /> : <Spinner />;

  const columns = [
    'id',
    ...(collection.type === 'auth' ? ['email', 'verified'] : []),
    ...collection.fields.map((f) => f.name),
    'created',
    'updated',
  ];
  const visible = columns.filter((c) => !hiddenCols.has(c));
  const fieldOf = (c: string) => collection.fields.find((f) => f.name === c);
  const sortKey = sort.replace(/^-/, '');
  const toggleSort = (c: string) => {
    setSort(sortKey === c ? (sort.startsWith('-') ? c : `-${c}`) : c);
    setPage(1);
  };
  const applyFilter = (e: FormEvent) => {
    e.preventDefault();
    setPage(1);
    setFilter(filterInput.trim());
  };
  const items = result?.items ?? [];
  const allSelected = items.length > 0 && items.every((r) => selected.has(r.id));

  const confirmDelete = async () => {
    if (!deleting) return;
    setDeleteBusy(true);
    setDeleteError('');
    try {
      for (const id of deleting) await client.collection(name).delete(id);
      setDeleting(null);
      setSelected(new Set());
      await load();
    } catch (err) {
      setDeleteError(describeError(err));
      await load();
    } finally {
      setDeleteBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title={name}
        subtitle={
          <>
            {result && result.totalItems >= 0
              ? `${result.totalItems} record${result.totalItems === 1 ? '' : 's'}`
              : ''}{' '}
            · <a href={href(`/collections/${name}/schema`)}>Edit the schema</a> · API:{' '}
            <code>/api/collections/{name}/records</code>
          </>
        }
        actions={
          <>
            {selected.size ? (
              <Button kind="danger" onClick={() => setDeleting([...selected])}>
                Delete {selected.size} selected
              </Button>
            ) : null}
            <Button onClick={() => setChooser(!chooser)}>Columns</Button>
            <Button kind="primary" onClick={() => setEditing('new')} testId="new-record">
              New record
            </Button>
          </>
        }
      />
      {chooser ? (
        <div className="card chooser">
          {columns.map((c) => (
            <label className="check" key={c}>
              <input
                type="checkbox"
                checked={!hiddenCols.has(c)}
                onChange={(e) => {
                  const next = new Set(hiddenCols);
                  if (e.target.checked) next.delete(c);
                  else next.add(c);
                  setHiddenCols(next);
                }}
              />{' '}
              {c}
            </label>
          ))}
        </div>
      ) : null}
      <form className="filter-bar" onSubmit={applyFilter} role="search">
        <input
          name="filter"
          className="mono"
          aria-label="Filter"
          value={filterInput}
          onChange={(e) => setFilterInput(e.target.value)}
          placeholder={`Filter, e.g. ${filterExample(collection)}`}
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
      </form>
      {filterError ? (
        <div className="field-error filter-error" role="alert">
          {filterError}
        </div>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {result && items.length === 0 && !filterError ? (
        filter ? (
          <EmptyState title="No record matches the filter">
            Change the filter or clear it to see every record.
          </EmptyState>
        ) : (
          <EmptyState
            title={`No records in ${name} yet`}
            action={
              <Button kind="primary" onClick={() => setEditing('new')}>
                Add the first record
              </Button>
            }
          >
            Add one here, or create records through the API at{' '}
            <code>POST /api/collections/{name}/records</code>.
          </EmptyState>
        )
      ) : null}
      {items.length > 0 ? (
        <div className={loading ? 'table-wrap is-loading' : 'table-wrap'}>
          <table className="table records" data-testid="records-table">
            <thead>
              <tr>
                <th className="check-col">
                  <input
                    type="checkbox"
                    aria-label="Select all on this page"
                    checked={allSelected}
                    onChange={(e) =>
                      setSelected(e.target.checked ? new Set(items.map((r) => r.id)) : new Set())
                    }
                  />
                </th>
                {visible.map((c) => (
                  <th
                    key={c}
                    aria-sort={
                      sortKey === c ? (sort.startsWith('-') ? 'descending' : 'ascending') : undefined
                    }
                  >
                    <button type="button" className="sort-btn" onClick={() => toggleSort(c)}>
                      {c}
                      <span className="sort-mark">
                        {sortKey === c ? (sort.startsWith('-') ? '▼' : '▲') : ''}
                      </span>
                    </button>
                  </th>
                ))}
                <th className="actions-col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td className="check-col">
                    <input
                      type="checkbox"
                      aria-label={`Select ${r.id}`}
                      checked={selected.has(r.id)}
                      onChange={(e) => {
                        const next = new Set(selected);
                        if (e.target.checked) next.add(r.id);
                        else next.delete(r.id);
                        setSelected(next);
                      }}
                    />
                  </td>
                  {visible.map((c) => (
                    <td
                      key={c}
                      className={c === 'id' ? 'mono small id-cell' : undefined}
                      title={c === 'id' ? r.id : undefined}
                    >
                      {c === 'id'
                        ? '…' + r.id.slice(-10)
                        : r.expand?.[c]
                          ? relationText(r.expand[c])
                          : cellText(fieldOf(c), r[c])}
                    </td>
                  ))}
                  <td className="actions-col">
                    <Button small onClick={() => setEditing(r)}>
                      Edit
                    </Button>
                    <Button small kind="ghost" onClick={() => setDeleting([r.id])}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {result && result.totalPages > 0 ? (
        <div className="pager">
          <Button small disabled={page <= 1} onClick={() => setPage(page - 1)}>
            ← Previous
          </Button>
          <span className="muted" data-testid="page-info">
            Page {result.page} of {Math.max(1, result.totalPages)}
          </span>
          <Button small disabled={page >= result.totalPages} onClick={() => setPage(page + 1)}>
            Next →
          </Button>
          <label className="muted small">
            Per page{' '}
            <select
              value={perPage}
              onChange={(e) => {
                setPerPage(Number(e.target.value));
                setPage(1);
              }}
            >
              {PER_PAGE.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
        </div>
      ) : null}
      {editing ? (
        <RecordForm
          collection={collection}
          record={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={!!deleting}
        title={deleting && deleting.length > 1 ? `Delete ${deleting.length} records?` : 'Delete this record?'}
        confirmLabel="Delete"
        busy={deleteBusy}
        error={deleteError}
        onClose={() => setDeleting(null)}
        onConfirm={() => void confirmDelete()}
      >
        <p>
          {deleting && deleting.length > 1
            ? `${deleting.length} records of ${name}`
            : `The record ${deleting?.[0] ?? ''}`}{' '}
          and its files are deleted. Relations to {deleting && deleting.length > 1 ? 'them' : 'it'} follow
          their on-delete setting. This cannot be undone.
        </p>
      </ConfirmDialog>
      {!result && !error ? <Spinner /> : null}
      <p className="muted small back-link">
        <a href={href('/collections')} onClick={() => navigate('/collections')}>
          ← All collections
        </a>
      </p>
    </>
  );
}
