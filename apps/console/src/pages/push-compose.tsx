import { useEffect, useState, type FormEvent } from 'react';
import type { CollectionModel, PushRecipients, PushTargets } from '@plinth/sdk';
import { client, describeError, errorsByPath } from '../api/client';
import { Button, ConfirmDialog, ErrorBanner, Field } from '../components/ui';
import { UserPicker, type PickedUser } from '../components/user-picker';
import { href } from '../router';

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

const PLATFORM_NAMES = { fcm: 'FCM (Android)', apns: 'APNs (iOS)', webpush: 'Web Push' } as const;
const PLATFORMS = Object.keys(PLATFORM_NAMES) as Array<keyof typeof PLATFORM_NAMES>;
const devices = (n: number) => `${n} active device${n === 1 ? '' : 's'}`;

/** Why a send to these recipients would reach nobody, or fail for some devices. */
function warningsOf(r: PushRecipients): string[] {
  if (!r.devices) {
    return [
      'No active device matches these targets: nobody would receive this push. Devices appear once your app registers them with client.push.register(...).',
    ];
  }
  return PLATFORMS.filter((p) => r.platforms[p] && !r.providers[p]).map(
    (p) =>
      `${devices(r.platforms[p])} ${r.platforms[p] === 1 ? 'uses' : 'use'} ${PLATFORM_NAMES[p]}, which is not configured: those deliveries will fail. Set its credentials under Settings → push.`,
  );
}

function reachOf(r: PushRecipients): string {
  const parts = PLATFORMS.filter((p) => r.platforms[p]).map((p) => `${r.platforms[p]} ${PLATFORM_NAMES[p]}`);
  return `Reaches ${devices(r.devices)}${parts.length ? ` (${parts.join(', ')})` : ''}.`;
}

/** What the targets reach now, checked a moment after they stop changing. */
function useRecipients(targets: PushTargets) {
  const key = JSON.stringify(targets);
  const [state, setState] = useState<{ key: string; recipients?: PushRecipients; error?: string }>();
  useEffect(() => {
    if (key === '{}') return;
    const ctl = new AbortController();
    const t = setTimeout(() => {
      client.push
        .recipients(JSON.parse(key) as PushTargets, { signal: ctl.signal })
        .then((recipients) => setState({ key, recipients }))
        .catch((err) => !ctl.signal.aborted && setState({ key, error: describeError(err) }));
    }, 300);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [key]);
  return key !== '{}' && state?.key === key ? state : undefined;
}

/** The push composer: recipients (users found by email or name, ids, topics, a filter), content, schedule. */
export function Compose({ onSent }: { onSent: (id: string) => void }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [picked, setPicked] = useState<PickedUser[]>([]);
  const [users, setUsers] = useState('');
  const [topics, setTopics] = useState('');
  const [deviceIds, setDeviceIds] = useState('');
  const [filter, setFilter] = useState('');
  const [authCollections, setAuthCollections] = useState<CollectionModel[]>([]);
  const [filterCollection, setFilterCollection] = useState('users');
  const [scheduledAt, setScheduledAt] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [result, setResult] = useState('');
  const [confirm, setConfirm] = useState<string[] | null>(null);

  useEffect(() => {
    client.collections
      .list()
      .then((all) => {
        const auth = all.filter((c) => c.type === 'auth');
        setAuthCollections(auth);
        if (auth.length && !auth.some((c) => c.name === 'users')) setFilterCollection(auth[0]!.name);
      })
      .catch((err) => setError(describeError(err)));
  }, []);

  const userIds = [...new Set([...picked.map((u) => u.id), ...list(users)])];
  const targets: PushTargets = {
    ...(userIds.length ? { users: userIds } : {}),
    ...(list(topics).length ? { topics: list(topics) } : {}),
    ...(list(deviceIds).length ? { devices: list(deviceIds) } : {}),
    ...(filter.trim() ? { filter: filter.trim(), collection: filterCollection } : {}),
  };
  const check = useRecipients(targets);
  const targetsKey = JSON.stringify(targets);
  // The last send's result speaks of the targets it had.
  useEffect(() => setResult(''), [targetsKey]);
  const warnings = check?.recipients ? warningsOf(check.recipients) : [];

  const send = async () => {
    setBusy(true);
    setError('');
    setErrs({});
    setResult('');
    try {
      const sent = await client.push.send({
        targets,
        notification: { title, ...(body ? { body } : {}) },
        ...(scheduledAt ? { scheduledAt: new Date(scheduledAt).toISOString() } : {}),
      });
      setConfirm(null);
      if (sent.recipients) onSent(sent.id);
      else
        setResult(
          'No recipients: no active device matched the targets, so nobody was sent this push. It is kept in Messages.',
        );
    } catch (err) {
      setConfirm(null);
      setError(describeError(err));
      setErrs(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };

  // Warns before a send that would reach nobody or fail for some devices; the sender may go on.
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!Object.keys(targets).length) return void send();
    setBusy(true);
    let found: string[] = [];
    try {
      found = warningsOf(await client.push.recipients(targets));
    } catch {
      // The send answers the same problem, in place.
    } finally {
      setBusy(false);
    }
    if (found.length) setConfirm(found);
    else await send();
  };

  return (
    <div className="push-compose">
      <form className="card stack" onSubmit={submit}>
        <ErrorBanner error={error} />
        {result ? (
          <div className="banner banner-warn" role="status" data-testid="push-result">
            {result}
          </div>
        ) : null}
        <Field label="Title" error={errs['notification.title'] ?? errs.notification}>
          <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        <Field label="Body" error={errs['notification.body']}>
          <textarea name="body" rows={3} value={body} onChange={(e) => setBody(e.target.value)} />
        </Field>
        <fieldset className="field recipients">
          <legend className="field-label">Recipients</legend>
          <UserPicker collections={authCollections} picked={picked} onChange={setPicked} />
          <Field
            label="More user ids"
            hint="Every active device of these users (comma separated)."
            error={errs['targets.users'] ?? errs.targets}
          >
            <input name="users" className="mono" value={users} onChange={(e) => setUsers(e.target.value)} />
          </Field>
          <Field label="Topics" hint="Devices subscribed to these topics." error={errs['targets.topics']}>
            <input name="topics" value={topics} onChange={(e) => setTopics(e.target.value)} />
          </Field>
          <Field label="Device ids" error={errs['targets.devices']}>
            <input
              name="devices"
              className="mono"
              value={deviceIds}
              onChange={(e) => setDeviceIds(e.target.value)}
            />
          </Field>
          <div className="filter-target">
            {authCollections.length > 1 ? (
              <Field label="Filter users of" error={errs['targets.collection']}>
                <select value={filterCollection} onChange={(e) => setFilterCollection(e.target.value)}>
                  {authCollections.map((c) => (
                    <option key={c.name}>{c.name}</option>
                  ))}
                </select>
              </Field>
            ) : null}
            <Field
              label="Users matching a filter"
              hint={
                <>
                  Over the users of {filterCollection}, e.g.{' '}
                  <code>verified = true &amp;&amp; lang = "de"</code>.
                </>
              }
              error={errs['targets.filter']}
            >
              <input
                name="filter"
                className="mono"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
              />
            </Field>
          </div>
          <div aria-live="polite" data-testid="push-reach">
            {check?.error ? <p className="field-error">{check.error}</p> : null}
            {warnings.map((w) => (
              <div key={w} className="banner banner-warn">
                <span>
                  {w} {w.includes('Settings') ? <a href={href('/settings')}>Open Settings</a> : null}
                </span>
              </div>
            ))}
            {check?.recipients && !warnings.length ? (
              <p className="muted small">{reachOf(check.recipients)}</p>
            ) : null}
          </div>
        </fieldset>
        <Field label="Send at (optional)" hint="Leave empty to send now." error={errs.scheduledAt}>
          <input
            type="datetime-local"
            name="scheduledAt"
            value={scheduledAt}
            onChange={(e) => setScheduledAt(e.target.value)}
          />
        </Field>
        <div>
          <Button kind="primary" type="submit" busy={busy}>
            {scheduledAt ? 'Schedule' : 'Send now'}
          </Button>
        </div>
      </form>
      <div className="preview" aria-label="Preview" role="region">
        <span className="muted small">Preview</span>
        <div className="notif">
          <div className="notif-app">Your app · now</div>
          <div className="notif-title">{title || 'Title'}</div>
          <div className="notif-body">{body || 'The message your users read.'}</div>
        </div>
      </div>
      <ConfirmDialog
        open={confirm !== null}
        title={scheduledAt ? 'Schedule this push anyway?' : 'Send this push anyway?'}
        confirmLabel={scheduledAt ? 'Schedule anyway' : 'Send anyway'}
        busy={busy}
        onConfirm={() => void send()}
        onClose={() => setConfirm(null)}
      >
        {(confirm ?? []).map((w) => (
          <p key={w}>{w}</p>
        ))}
      </ConfirmDialog>
    </div>
  );
}
