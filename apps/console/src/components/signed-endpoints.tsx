import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { describeError } from '../api/client';
import { ShownOnceDialog } from './shown-once';
import { Button, ConfirmDialog, Dialog, EmptyState, ErrorBanner, PageHeader, Spinner } from './ui';

/** What an endpoint page does besides its own buttons: run an action and reload, show a secret once. */
export interface EndpointPageActions<T> {
  run: (work: () => Promise<unknown>) => Promise<void>;
  showSecret: (title: string, value: string) => void;
  openLog: (item: T) => void;
}

/**
 * The list page of signed endpoints (webhooks, hooks, schedules): each card with its log, Edit, Enable or
 * Disable and Delete; the page adds the card's body, its own buttons, its form and its log dialog.
 */
export function EndpointListPage<T extends { id: string; enabled: boolean }>(props: {
  api: {
    list: () => Promise<T[]>;
    update: (id: string, input: { enabled: boolean }) => Promise<unknown>;
    delete: (id: string) => Promise<unknown>;
  };
  noun: string;
  title: string;
  subtitle: string;
  emptyTitle: string;
  emptyText: string;
  testId: string;
  /** The log button's label; without a `log`, no log button. */
  logLabel?: string;
  deleteNote: string;
  label: (item: T) => string;
  body: (item: T) => ReactNode;
  /** Buttons after the log button, and after Enable/Disable. */
  leading?: (item: T, page: EndpointPageActions<T>) => ReactNode;
  trailing?: (item: T, page: EndpointPageActions<T>) => ReactNode;
  form: (editing: T | undefined, close: () => Promise<void>, page: EndpointPageActions<T>) => ReactNode;
  log?: (item: T, close: () => void) => ReactNode;
}) {
  const { api } = props;
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState('');
  const [form, setForm] = useState<{ editing?: T } | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [log, setLog] = useState<T | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setItems(await api.list());
    } catch (err) {
      setError(describeError(err));
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  const page: EndpointPageActions<T> = {
    run: async (work) => {
      setError('');
      try {
        await work();
        await load();
      } catch (err) {
        setError(describeError(err));
      }
    },
    showSecret: (title, value) => setSecret({ title, value }),
    openLog: setLog,
  };
  const closeForm = async () => {
    setForm(null);
    await load();
  };
  const newButton = (
    <Button kind="primary" onClick={() => setForm({})}>
      New {props.noun}
    </Button>
  );

  return (
    <>
      <PageHeader title={props.title} subtitle={props.subtitle} actions={newButton} />
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {items === null && !error ? <Spinner /> : null}
      {items && !items.length ? (
        <EmptyState title={props.emptyTitle} action={newButton}>
          {props.emptyText}
        </EmptyState>
      ) : null}
      {items && items.length ? (
        <ul className="stack card-list" data-testid={props.testId}>
          {items.map((item) => (
            <li key={item.id} className="card">
              {props.body(item)}
              <div className="row-wrap">
                {props.log ? (
                  <Button small onClick={() => setLog(item)}>
                    {props.logLabel}
                  </Button>
                ) : null}
                {props.leading?.(item, page)}
                <Button small onClick={() => setForm({ editing: item })}>
                  Edit
                </Button>
                <Button
                  small
                  onClick={() => void page.run(() => api.update(item.id, { enabled: !item.enabled }))}
                >
                  {item.enabled ? 'Disable' : 'Enable'}
                </Button>
                {props.trailing?.(item, page)}
                <Button small kind="ghost" onClick={() => setDeleting(item)}>
                  Delete
                </Button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {form ? props.form(form.editing, closeForm, page) : null}
      <ShownOnceDialog
        open={!!secret}
        title={secret?.title ?? ''}
        secret={secret?.value ?? ''}
        what="secret"
        onClose={() => setSecret(null)}
      />
      {log && props.log ? props.log(log, () => setLog(null)) : null}
      <ConfirmDialog
        open={!!deleting}
        title={`Delete the ${props.noun} ${deleting ? props.label(deleting) : ''}?`}
        confirmLabel={`Delete ${props.noun}`}
        busy={busy}
        onClose={() => setDeleting(null)}
        onConfirm={() => {
          setBusy(true);
          void page
            .run(async () => {
              await api.delete(deleting!.id);
              setDeleting(null);
            })
            .finally(() => setBusy(false));
        }}
      >
        <p>{props.deleteNote}</p>
      </ConfirmDialog>
    </>
  );
}

/** What a log row can do: an action that ends in a note and a reload, or an error to show. */
export interface LogActions {
  act: (work: () => Promise<string>) => Promise<void>;
  fail: (err: unknown) => void;
}

/** The log of one endpoint (webhook deliveries, schedule runs): newest 50, refresh, actions with a note. */
export function EndpointLogDialog<T extends { id: string }>(props: {
  title: string;
  load: () => Promise<{ items: T[] }>;
  emptyText: string;
  testId: string;
  head: ReactNode;
  row: (item: T, log: LogActions) => ReactNode;
  actions: (items: T[], log: LogActions) => ReactNode;
  onClose: () => void;
  children?: ReactNode;
}) {
  const { load: fetch } = props;
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');

  const load = useCallback(async () => {
    try {
      setItems((await fetch()).items);
    } catch (err) {
      setError(describeError(err));
    }
  }, [fetch]);
  useEffect(() => void load(), [load]);

  const log: LogActions = {
    act: async (work) => {
      setError('');
      try {
        setNote(await work());
        await load();
      } catch (err) {
        setError(describeError(err));
      }
    },
    fail: (err) => setError(describeError(err)),
  };

  return (
    <Dialog
      open
      wide
      title={props.title}
      onClose={props.onClose}
      footer={<Button onClick={props.onClose}>Close</Button>}
    >
      <ErrorBanner error={error} />
      <div className="row-wrap">
        <Button small onClick={() => void load()}>
          Refresh
        </Button>
        {props.actions(items ?? [], log)}
      </div>
      {note ? (
        <p className="muted small" role="status">
          {note}
        </p>
      ) : null}
      {items === null && !error ? <Spinner /> : null}
      {items && !items.length ? <p className="muted">{props.emptyText}</p> : null}
      {items && items.length ? (
        <div className="table-wrap">
          <table className="table" data-testid={props.testId}>
            <thead>
              <tr>{props.head}</tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>{props.row(item, log)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {props.children}
    </Dialog>
  );
}
