import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DeviceModel, PushMessageModel } from '@plinth/sdk';
import { client, describeError, errorsByPath } from '../api/client';
import {
  Button,
  Dialog,
  EmptyState,
  ErrorBanner,
  Field,
  PageHeader,
  Spinner,
  formatDate,
} from '../components/ui';

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

type Message = PushMessageModel & {
  notification?: { title?: string; body?: string };
  scheduledAt?: string | null;
  created?: string;
};

/** Push: compose and send (with a preview and an optional schedule), message history, devices. */
export function PushPage() {
  const [tab, setTab] = useState<'compose' | 'messages' | 'devices'>('compose');
  const [openMessage, setOpenMessage] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title="Push"
        subtitle="Notifications to your users' devices through FCM, APNs and Web Push. Set the credentials under Settings."
      />
      <div className="tabs" role="tablist">
        {(['compose', 'messages', 'devices'] as const).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'tab active' : 'tab'}
            onClick={() => setTab(t)}
          >
            {t === 'compose' ? 'Compose' : t === 'messages' ? 'Messages' : 'Devices'}
          </button>
        ))}
      </div>
      {tab === 'compose' ? (
        <Compose
          onSent={(id) => {
            setTab('messages');
            setOpenMessage(id);
          }}
        />
      ) : null}
      {tab === 'messages' ? <Messages key={openMessage ?? ''} onOpen={setOpenMessage} /> : null}
      {tab === 'devices' ? <Devices /> : null}
      {openMessage ? <MessageDialog id={openMessage} onClose={() => setOpenMessage(null)} /> : null}
    </>
  );
}

function Compose({ onSent }: { onSent: (id: string) => void }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [users, setUsers] = useState('');
  const [topics, setTopics] = useState('');
  const [devices, setDevices] = useState('');
  const [scheduledAt, setScheduledAt] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setErrs({});
    const targets: Record<string, string[]> = {};
    if (list(users).length) targets.users = list(users);
    if (list(topics).length) targets.topics = list(topics);
    if (list(devices).length) targets.devices = list(devices);
    try {
      const { id } = await client.push.send({
        targets,
        notification: { title, ...(body ? { body } : {}) },
        ...(scheduledAt ? { scheduledAt: new Date(scheduledAt).toISOString() } : {}),
      });
      onSent(id);
    } catch (err) {
      setError(describeError(err));
      setErrs(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };
  const targetError = Object.entries(errs)
    .filter(([k]) => k.startsWith('targets'))
    .map(([, v]) => v)
    .join('; ');

  return (
    <div className="push-compose">
      <form className="card stack" onSubmit={submit}>
        <ErrorBanner error={error} />
        <Field label="Title" error={errs['notification.title'] ?? errs.notification}>
          <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        <Field label="Body" error={errs['notification.body']}>
          <textarea name="body" rows={3} value={body} onChange={(e) => setBody(e.target.value)} />
        </Field>
        <Field
          label="User ids"
          hint="Every active device of these users (comma separated)."
          error={targetError}
        >
          <input name="users" className="mono" value={users} onChange={(e) => setUsers(e.target.value)} />
        </Field>
        <Field label="Topics" hint="Devices subscribed to these topics.">
          <input name="topics" value={topics} onChange={(e) => setTopics(e.target.value)} />
        </Field>
        <Field label="Device ids">
          <input
            name="devices"
            className="mono"
            value={devices}
            onChange={(e) => setDevices(e.target.value)}
          />
        </Field>
        <Field label="Send at (optional)" hint="Leave empty to send now." error={errs.scheduledAt}>
          <input type="datetime-local" value={scheduledAt} onChange={(e) => setScheduledAt(e.target.value)} />
        </Field>
        <div>
          <Button kind="primary" type="submit" busy={busy}>
            {scheduledAt ? 'Schedule' : 'Send now'}
          </Button>
        </div>
      </form>
      <div className="preview" aria-label="Preview">
        <span className="muted small">Preview</span>
        <div className="notif">
          <div className="notif-app">Your app · now</div>
          <div className="notif-title">{title || 'Title'}</div>
          <div className="notif-body">{body || 'The message your users read.'}</div>
        </div>
      </div>
    </div>
  );
}

function Messages({ onOpen }: { onOpen: (id: string) => void }) {
  const [items, setItems] = useState<Message[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    client.push
      .listMessages({ perPage: 100 })
      .then((r) => setItems(r.items as Message[]))
      .catch((err) => setError(describeError(err)));
  }, []);
  if (error) return <ErrorBanner error={error} />;
  if (!items) return <Spinner />;
  if (!items.length)
    return (
      <EmptyState title="No messages sent yet">Compose one, or send through POST /api/push/send.</EmptyState>
    );
  return (
    <div className="table-wrap">
      <table className="table" data-testid="push-messages">
        <thead>
          <tr>
            <th>Title</th>
            <th>Status</th>
            <th>Sent / failed / pending</th>
            <th className="hide-phone">Created</th>
            <th className="actions-col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((m) => (
            <tr key={m.id}>
              <td>{m.notification?.title ?? <span className="muted">(data only)</span>}</td>
              <td>
                <span className="badge">{m.status}</span>
              </td>
              <td className="muted">
                {m.counts?.sent ?? 0} / {m.counts?.failed ?? 0} / {m.counts?.pending ?? 0}
              </td>
              <td className="muted hide-phone">{formatDate(m.created)}</td>
              <td className="actions-col">
                <Button small onClick={() => onOpen(m.id)}>
                  Details
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MessageDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const [m, setM] = useState<Message | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    try {
      setM((await client.push.getMessage(id)) as Message);
    } catch (err) {
      setError(describeError(err));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);
  const failed = m?.deliveries.filter((d) => d.status === 'failed').length ?? 0;
  const retry = async () => {
    setBusy(true);
    try {
      await client.push.retry(id);
      await load();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      wide
      title={`Message ${id}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={() => void load()}>Refresh</Button>
          {failed ? (
            <Button kind="primary" busy={busy} onClick={() => void retry()}>
              Retry {failed} failed
            </Button>
          ) : null}
        </>
      }
    >
      <ErrorBanner error={error} />
      {!m && !error ? <Spinner /> : null}
      {m ? (
        <>
          <p>
            <strong>{m.notification?.title}</strong> {m.notification?.body}
          </p>
          <p className="muted small">
            Status {m.status}
            {m.scheduledAt ? ` · scheduled for ${formatDate(m.scheduledAt)}` : ''}
          </p>
          {m.deliveries.length === 0 ? (
            <p className="muted">No device matched the targets.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="push-deliveries">
                <thead>
                  <tr>
                    <th>Device</th>
                    <th>Platform</th>
                    <th>Status</th>
                    <th>Attempts</th>
                    <th>Error</th>
                  </tr>
                </thead>
                <tbody>
                  {m.deliveries.map((d) => (
                    <tr key={d.deviceId}>
                      <td className="mono small">{d.deviceId}</td>
                      <td>{d.platform}</td>
                      <td>
                        <span className="badge">{d.status}</span>
                      </td>
                      <td>{d.attempts}</td>
                      <td className="field-error">{d.error ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </Dialog>
  );
}

function Devices() {
  const [items, setItems] = useState<DeviceModel[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    client.push
      .listDevices({ perPage: 100 })
      .then((r) => setItems(r.items))
      .catch((err) => setError(describeError(err)));
  }, []);
  if (error) return <ErrorBanner error={error} />;
  if (!items) return <Spinner />;
  if (!items.length)
    return (
      <EmptyState title="No devices registered yet">
        Apps register devices with <code>client.push.register(...)</code> once a user signs in.
      </EmptyState>
    );
  const cols = ['id', 'platform', 'user', 'active', 'topics', 'created'];
  return (
    <div className="table-wrap">
      <table className="table records" data-testid="push-devices">
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              {cols.map((c) => {
                const row = d as Record<string, unknown>;
                const v = row[c] ?? row[`${c}Id`];
                return (
                  <td key={c} className={c === 'id' ? 'mono small' : undefined}>
                    {c === 'created'
                      ? formatDate(v)
                      : Array.isArray(v)
                        ? v.join(', ')
                        : typeof v === 'boolean'
                          ? v
                            ? 'yes'
                            : 'no'
                          : String(v ?? '')}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
