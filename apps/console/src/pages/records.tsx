import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CollectionModel, ListResult, RecordModel } from '@plinth/sdk';
import { client, describeError } from '../api/client';
import { fileTokenFor } from '../components/file-thumbs';
import { Button, ConfirmDialog, EmptyState, ErrorBanner, PageHeader, Spinner } from '../components/ui';
import { href, navigate } from '../router';
import { RecordForm } from './record-form';
import { AggregatePanel } from './records-aggregate';
import { ExportButton } from './records-export';
import { ImportButton } from './records-import';
import { PhoneSort, RecordsPager } from './records-pager';
import { listPath, readListState, type ListState } from './records-query';
import { RecordsTable } from './records-table';
import './records.css';
import { CollectionStats } from './dashboard/collection-stats';

function filterExample(c: CollectionModel): string {
  const f = c.fields.find((x) => ['text', 'number', 'bool'].includes(x.type));
  if (!f) return "created > '2025-01-01'";
  if (f.type === 'number') return `${f.name} > 10 && created > '2025-01-01'`;
  if (f.type === 'bool') return `${f.name} = true`;
  return `${f.name} ~ 'word' && created > '2025-01-01'`;
}

/** The records of one collection: a page of a sortable table with a filter bar; the list state is in the URL. */
export function RecordsPage({ name, query }: { name: string; query?: URLSearchParams }) {
  const list = readListState(query);
  const { page, perPage, sort, filter } = list;
  const go = (next: Partial<ListState>) => navigate(listPath(name, { ...list, ...next }));

  const [collection, setCollection] = useState<CollectionModel | null>(null);
  const [result, setResult] = useState<ListResult<RecordModel> | null>(null);
  const [fileToken, setFileToken] = useState('');
  const [filterInput, setFilterInput] = useState(filter);
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
  const [aggregating, setAggregating] = useState(false);

  useEffect(() => {
    setCollection(null);
    setResult(null);
    setSelected(new Set());
    setHiddenCols(new Set());
    client.collections
      .get(name)
      .then(setCollection)
      .catch((err) => setError(describeError(err)));
  }, [name]);
  // Back, forward and links change the filter in the URL: the input follows.
  useEffect(() => setFilterInput(filter), [filter]);

  // Relations are expanded, so the table shows the related records, not only their ids.
  const ready = collection?.name === name || collection?.id === name ? collection : null;
  const expand = ready
    ? ready.fields
        .filter((f) => f.type === 'relation')
        .map((f) => f.name)
        .join(',')
    : null;
  const load = useCallback(async () => {
    if (!ready || expand === null) return;
    setLoading(true);
    try {
      const [r, token] = await Promise.all([
        client
          .collection(name)
          .getList({ page, perPage, sort, filter: filter || undefined, expand: expand || undefined }),
        fileTokenFor(ready),
      ]);
      setResult(r as ListResult<RecordModel>);
      setFileToken(token);
      setFilterError('');
      setError('');
    } catch (err) {
      if (filter) setFilterError(describeError(err));
      else setError(describeError(err));
    } finally {
      setLoading(false);
    }
  }, [name, ready, page, perPage, sort, filter, expand]);
  useEffect(() => {
    void load();
  }, [load]);

  if (!ready) return error ? <ErrorBanner error={error} /> : <Spinner />;

  // A view collection's records are read-only, and have created/updated only when its query selects them.
  const readOnly = ready.type === 'view';
  const dates = ready.viewDates ?? { created: true, updated: true };
  const columns = [
    'id',
    ...(ready.type === 'auth' ? ['email', 'verified'] : []),
    // A text id field is listed among the fields (PocketBase's shape); its column is `id` above.
    ...ready.fields.filter((f) => f.name !== 'id').map((f) => f.name),
    ...(dates.created ? ['created'] : []),
    ...(dates.updated ? ['updated'] : []),
  ];
  const visible = columns.filter((c) => !hiddenCols.has(c));
  const sortKey = sort.replace(/^-/, '');
  const toggleSort = (c: string) =>
    go({ sort: sortKey === c ? (sort.startsWith('-') ? c : `-${c}`) : c, page: 1 });
  const applyFilter = (e: FormEvent) => {
    e.preventDefault();
    go({ filter: filterInput.trim(), page: 1 });
  };
  const items = result?.items ?? [];

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
            <code className="api-path">/api/collections/{name}/records</code>
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
            <Button onClick={() => setAggregating(!aggregating)} testId="aggregate-toggle">
              Group &amp; aggregate
            </Button>
            <ExportButton collection={name} filter={filter} sort={sort} onError={setError} />
            {readOnly ? null : <ImportButton collection={ready} onImported={() => void load()} />}
            {readOnly ? (
              <span className="muted" data-testid="read-only-note">
                A view: read-only records from its query.
              </span>
            ) : (
              <Button kind="primary" onClick={() => setEditing('new')} testId="new-record">
                New record
              </Button>
            )}
          </>
        }
      />
      <CollectionStats name={name} />
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
          placeholder={`Filter, e.g. ${filterExample(ready)}`}
        />
        <Button type="submit" kind="primary">
          Filter
        </Button>
        {filter ? <Button onClick={() => go({ filter: '', page: 1 })}>Clear</Button> : null}
      </form>
      {filterError ? (
        <div className="field-error filter-error" role="alert">
          {filterError}
        </div>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {aggregating ? <AggregatePanel collection={name} filter={filter} /> : null}
      {items.length > 0 ? (
        <PhoneSort columns={visible} sort={sort} onSort={(s) => go({ sort: s, page: 1 })} />
      ) : null}
      {result && items.length === 0 && !filterError ? (
        filter || page > 1 ? (
          <EmptyState title={filter ? 'No record matches the filter' : `Page ${page} is empty`}>
            {filter ? 'Change the filter or clear it to see every record.' : 'Go back to the first page.'}
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
        <RecordsTable
          collection={ready}
          columns={visible}
          items={items}
          sort={sort}
          loading={loading}
          fileToken={fileToken}
          selected={selected}
          onSelect={setSelected}
          onSort={toggleSort}
          onEdit={setEditing}
          onDelete={(r) => setDeleting([r.id])}
          readOnly={readOnly}
        />
      ) : null}
      {result && (result.totalPages > 0 || page > 1) ? (
        <RecordsPager
          page={page}
          totalPages={result.totalPages}
          perPage={perPage}
          onPage={(p) => go({ page: p })}
          onPerPage={(n) => go({ perPage: n, page: 1 })}
        />
      ) : null}
      {editing ? (
        <RecordForm
          collection={ready}
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
