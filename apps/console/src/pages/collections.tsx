import { useCallback, useEffect, useState } from 'react';
import type { CollectionModel } from '@plinth/sdk';
import { client, describeError } from '../api/client';
import { DataTable, EmptyState } from '../components/data-table';
import { Button, ConfirmDialog, ErrorBanner, PageHeader } from '../components/ui';
import { href, navigate } from '../router';

const RULES = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;

function ruleSummary(c: CollectionModel): string {
  const open = RULES.filter((r) => c[r] === '').length;
  const locked = RULES.filter((r) => c[r] === null || c[r] === undefined).length;
  const expr = RULES.length - open - locked;
  const parts = [];
  if (open) parts.push(`${open} public`);
  if (expr) parts.push(`${expr} by rule`);
  if (locked) parts.push(`${locked} admins only`);
  return parts.join(', ');
}

export function CollectionsPage() {
  const [items, setItems] = useState<CollectionModel[] | null>(null);
  const [error, setError] = useState('');
  const [deleting, setDeleting] = useState<{ c: CollectionModel; records: number | null } | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState('');

  const load = useCallback(async () => {
    try {
      setItems(await client.collections.list());
      setError('');
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const askDelete = async (c: CollectionModel) => {
    setDeleteError('');
    setDeleting({ c, records: null });
    try {
      const page = await client.collection(c.name).getList(1, 1);
      setDeleting({ c, records: page.totalItems });
    } catch {
      // The count is a courtesy; the dialog still names the collection and its fields.
    }
  };

  const confirmDelete = async () => {
    if (!deleting) return;
    setDeleteBusy(true);
    try {
      await client.collections.delete(deleting.c.name);
      setDeleting(null);
      await load();
    } catch (err) {
      setDeleteError(describeError(err));
    } finally {
      setDeleteBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Collections"
        subtitle="Each collection is a table with its own REST API, rules and OpenAPI schema."
        actions={
          <>
            <Button onClick={() => navigate('/collections/import')}>Import / export</Button>
            <Button kind="primary" onClick={() => navigate('/collections/new')}>
              New collection
            </Button>
          </>
        }
      />
      <ErrorBanner error={error} />
      {error && items === null ? null : (
        <DataTable
          rows={items}
          rowKey={(c) => c.id ?? c.name}
          testId="collections-table"
          empty={
            <EmptyState
              title="No collections yet"
              action={
                <Button kind="primary" onClick={() => navigate('/collections/new')}>
                  Create your first collection
                </Button>
              }
            >
              Create a collection, add its fields and rules, and its REST API is ready at once.
            </EmptyState>
          }
          columns={[
            {
              header: 'Name',
              cell: (c) => (
                <a href={href(`/collections/${c.name}`)} className="strong">
                  {c.name}
                </a>
              ),
            },
            { header: 'Type', cell: (c) => <span className={`badge badge-${c.type}`}>{c.type}</span> },
            {
              header: 'Fields',
              cell: (c) => (c.fields.length ? c.fields.map((f) => f.name).join(', ') : 'no fields'),
              className: 'muted',
            },
            { header: 'Access', cell: ruleSummary, className: 'muted', hideOnPhone: true },
          ]}
          actions={(c) => (
            <>
              <Button small label={`Records of ${c.name}`} onClick={() => navigate(`/collections/${c.name}`)}>
                Records
              </Button>
              <Button
                small
                label={`Schema of ${c.name}`}
                onClick={() => navigate(`/collections/${c.name}/schema`)}
              >
                Schema
              </Button>
              <Button small kind="ghost" label={`Delete ${c.name}`} onClick={() => void askDelete(c)}>
                Delete
              </Button>
            </>
          )}
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        title={deleting ? `Delete the collection ${deleting.c.name}?` : ''}
        confirmLabel="Delete collection"
        confirmText={deleting?.c.name}
        busy={deleteBusy}
        error={deleteError}
        onClose={() => setDeleting(null)}
        onConfirm={() => void confirmDelete()}
      >
        {deleting ? (
          <>
            <p>
              This drops the table <strong>{deleting.c.name}</strong> with{' '}
              <strong>
                {deleting.records === null
                  ? 'all its records'
                  : `${deleting.records} record${deleting.records === 1 ? '' : 's'}`}
              </strong>
              {deleting.c.fields.length ? (
                <>
                  {' '}
                  and the fields <strong>{deleting.c.fields.map((f) => f.name).join(', ')}</strong>
                </>
              ) : null}
              , its rules and its API. Files stored in its records are deleted too.
            </p>
            <p>
              Apps and API keys that use <code>{deleting.c.name}</code> stop working. This cannot be undone.
            </p>
          </>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
