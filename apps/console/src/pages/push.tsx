import { useCallback, useEffect, useState } from 'react';
import type { DeviceModel, PushMessageModel } from '@plinth/sdk';
import { client, describeError } from '../api/client';
import { DataTable, EmptyState } from '../components/data-table';
import { Button, Dialog, ErrorBanner, PageHeader, Spinner, formatDate } from '../components/ui';
import { YesNo } from '../components/yes-no';
import { Compose } from './push-compose';

type Message = PushMessageModel & {
  notification?: { title?: string; body?: string };
  scheduledAt?: string | null;
  created?: string;
};

/** Push: compose and send (with a preview and an optional schedule), message history, devices. */
export function PushPage() {
  const [tab, setTab] = useState<'compose' | 'messages' | 'devices'>('compose');
  const [openMessage, setOpenMessage] = useState<string | null>(null);
  // Bumped when a message dialog closes: the list reloads in place, so focus can go back to its button.
  const [version, setVersion] = useState(0);
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
      {tab === 'messages' ? <Messages version={version} onOpen={setOpenMessage} /> : null}
      {tab === 'devices' ? <Devices /> : null}
      {openMessage ? (
        <MessageDialog
          id={openMessage}
          onClose={() => {
            setOpenMessage(null);
            setVersion((v) => v + 1);
          }}
        />
      ) : null}
    </>
  );
}

/** "no recipients" for a message addressed to no device (the API calls it sent: nothing is pending). */
const statusText = (m: Message) => (m.counts?.total === 0 ? 'no recipients' : m.status);

function Messages({ onOpen, version }: { onOpen: (id: string) => void; version: number }) {
  const [items, setItems] = useState<Message[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    client.push
      .listMessages({ perPage: 100 })
      .then((r) => setItems(r.items as Message[]))
      .catch((err) => setError(describeError(err)));
  }, [version]);
  if (error) return <ErrorBanner error={error} />;
  return (
    <DataTable
      rows={items}
      rowKey={(m) => m.id}
      testId="push-messages"
      empty={
        <EmptyState title="No messages sent yet">
          Compose one, or send through POST /api/push/send.
        </EmptyState>
      }
      columns={[
        { header: 'Title', cell: (m) => m.notification?.title ?? <span className="muted">(data only)</span> },
        { header: 'Status', cell: (m) => <span className="badge">{statusText(m)}</span> },
        {
          header: 'Sent / failed / pending',
          cell: (m) => `${m.counts?.sent ?? 0} / ${m.counts?.failed ?? 0} / ${m.counts?.pending ?? 0}`,
          className: 'muted',
        },
        { header: 'Created', cell: (m) => formatDate(m.created), className: 'muted', hideOnPhone: true },
      ]}
      actions={(m) => (
        <Button small onClick={() => onOpen(m.id)} label={`Details of ${m.notification?.title ?? 'message'}`}>
          Details
        </Button>
      )}
    />
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
            Status {statusText(m)}
            {m.scheduledAt ? ` · scheduled for ${formatDate(m.scheduledAt)}` : ''}
          </p>
          <DataTable
            rows={m.deliveries}
            rowKey={(d) => `${d.deviceId}`}
            testId="push-deliveries"
            empty={<p className="muted">No device matched the targets.</p>}
            columns={[
              { header: 'Device', cell: (d) => d.deviceId, className: 'mono small' },
              { header: 'Platform', cell: (d) => d.platform },
              { header: 'Status', cell: (d) => <span className="badge">{d.status}</span> },
              { header: 'Attempts', cell: (d) => d.attempts },
              { header: 'Error', cell: (d) => d.error ?? '', className: 'field-error' },
            ]}
          />
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
  const cols = ['id', 'platform', 'user', 'active', 'topics', 'created'];
  return (
    <DataTable
      rows={items}
      rowKey={(d) => d.id}
      testId="push-devices"
      className="records"
      empty={
        <EmptyState title="No devices registered yet">
          Apps register devices with <code>client.push.register(...)</code> once a user signs in.
        </EmptyState>
      }
      columns={cols.map((c) => ({
        header: c,
        className: c === 'id' ? 'mono small' : undefined,
        cell: (d: DeviceModel) => {
          const row = d as Record<string, unknown>;
          const v = row[c] ?? row[`${c}Id`];
          if (c === 'created') return formatDate(v);
          if (Array.isArray(v)) return v.join(', ');
          if (typeof v === 'boolean') return <YesNo value={v} />;
          return String(v ?? '');
        },
      }))}
    />
  );
}
