import { useEffect, useState, type FormEvent } from 'react';
import type { CollectionModel, PushTrigger } from '@plinth/sdk';
import { client, describeError, errorsByPath } from '../api/client';
import { Button, ConfirmDialog, Dialog, EmptyState, ErrorBanner, Field } from './ui';
import './extras.css';

const EVENTS = ['create', 'update', 'delete'] as const;
type Event = (typeof EVENTS)[number];

interface Draft {
  on: Event[];
  target: 'users' | 'topic';
  userField: string;
  topic: string;
  title: string;
  body: string;
  clickUrl: string;
}

const emptyDraft = (userFields: string[]): Draft => ({
  on: ['create'],
  target: userFields.length ? 'users' : 'topic',
  userField: userFields[0] ?? '',
  topic: '',
  title: '',
  body: '',
  clickUrl: '',
});

const toDraft = (t: PushTrigger): Draft => ({
  on: [...t.on] as Event[],
  target: t.userField ? 'users' : 'topic',
  userField: t.userField ?? '',
  topic: t.topic ?? '',
  title: t.notification.title ?? '',
  body: t.notification.body ?? '',
  clickUrl: t.notification.clickUrl ?? '',
});

/** The draft as the API takes it; options the form does not edit (image, sound, data) are kept. */
function fromDraft(d: Draft, before?: PushTrigger): PushTrigger {
  const notification = {
    ...(before?.notification ?? {}),
    title: d.title,
    body: d.body,
    clickUrl: d.clickUrl,
  };
  for (const k of ['title', 'body', 'clickUrl'] as const) if (!notification[k]) delete notification[k];
  return {
    on: d.on,
    ...(d.target === 'users' ? { userField: d.userField } : { topic: d.topic.trim() }),
    notification,
    ...(before?.data ? { data: before.data } : {}),
  };
}

/** Fields whose users a trigger can notify: relations to an auth collection, or the record itself on one. */
function userFieldsOf(c: CollectionModel | undefined, all: CollectionModel[]): string[] {
  if (!c) return [];
  const auth = new Set(all.filter((x) => x.type === 'auth').map((x) => x.name));
  const relations = c.fields
    .filter((f) => f.type === 'relation' && auth.has(String(f.collection)))
    .map((f) => f.name);
  return c.type === 'auth' ? ['id', ...relations] : relations;
}

const describeTarget = (t: PushTrigger) =>
  t.userField ? (
    <>
      the users in <code>{t.userField}</code>
    </>
  ) : (
    <>
      topic <code>{t.topic}</code>
    </>
  );

/** Push on record events (PUT /api/push/triggers/{collection}): list, add, edit and delete per collection. */
export function PushTriggersEditor() {
  const [collections, setCollections] = useState<CollectionModel[]>([]);
  const [name, setName] = useState('');
  const [triggers, setTriggers] = useState<PushTrigger[] | null>(null);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const [editing, setEditing] = useState<{ index: number | null; draft: Draft } | null>(null);
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState('');
  const [deleting, setDeleting] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    client.collections
      .list()
      .then((all) => {
        setCollections(all);
        setName((n) => n || all[0]?.name || '');
      })
      .catch((err) => setError(describeError(err)));
  }, []);

  useEffect(() => {
    if (!name) return;
    setTriggers(null);
    client.push
      .getTriggers(name)
      .then((r) => setTriggers(r.triggers))
      .catch((err) => setError(describeError(err)));
  }, [name]);

  const collection = collections.find((c) => c.name === name);
  const userFields = userFieldsOf(collection, collections);

  const save = async (next: PushTrigger[], message: string): Promise<boolean> => {
    setBusy(true);
    setSaved('');
    try {
      const r = await client.push.setTriggers(name, next);
      setTriggers(r.triggers);
      setSaved(message);
      return true;
    } catch (err) {
      setFormError(describeError(err));
      const at = editing?.index ?? triggers?.length ?? 0;
      const prefix = `triggers.${at}.`;
      setFormErrors(
        Object.fromEntries(
          Object.entries(errorsByPath(err)).map(([p, m]) => [
            p.startsWith(prefix) ? p.slice(prefix.length) : p,
            m,
          ]),
        ),
      );
      return false;
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing || !triggers) return;
    setFormError('');
    setFormErrors({});
    if (!editing.draft.on.length) {
      setFormErrors({ on: 'Pick at least one event.' });
      return;
    }
    const { index, draft } = editing;
    const trigger = fromDraft(draft, index === null ? undefined : triggers[index]);
    const next =
      index === null ? [...triggers, trigger] : triggers.map((t, i) => (i === index ? trigger : t));
    if (await save(next, index === null ? `Trigger added to ${name}.` : `Trigger of ${name} saved.`))
      setEditing(null);
  };

  const set = (patch: Partial<Draft>) =>
    setEditing((e) => (e ? { ...e, draft: { ...e.draft, ...patch } } : e));
  const draft = editing?.draft;

  return (
    <section
      className="card settings-section"
      data-section="push-triggers"
      aria-labelledby="push-triggers-title"
    >
      <div className="section-head">
        <h2 id="push-triggers-title">Push on record events</h2>
        <div className="page-actions">
          <Button
            kind="primary"
            small
            disabled={!triggers}
            onClick={() => {
              setFormError('');
              setFormErrors({});
              setEditing({ index: null, draft: emptyDraft(userFields) });
            }}
          >
            Add trigger
          </Button>
        </div>
      </div>
      <p className="field-hint">
        When a record of the collection is created, updated or deleted, send a push to the users a field
        points at, or to a topic. Titles and bodies may use <code>{'{{field}}'}</code>,{' '}
        <code>{'{{action}}'}</code> and <code>{'{{collection}}'}</code>.
      </p>
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {saved ? <div className="banner banner-ok">{saved}</div> : null}
      <Field label="Collection">
        <select name="triggerCollection" value={name} onChange={(e) => setName(e.target.value)}>
          {collections.map((c) => (
            <option key={c.name}>{c.name}</option>
          ))}
        </select>
      </Field>
      {triggers && !triggers.length ? (
        <EmptyState title={`No push triggers on ${name}`}>
          Add one to notify users when its records change.
        </EmptyState>
      ) : null}
      {triggers?.length ? (
        <ul className="trigger-list" data-testid="push-triggers">
          {triggers.map((t, i) => (
            <li key={i}>
              <span>
                On <strong>{t.on.join(', ')}</strong>: to {describeTarget(t)}, “{t.notification.title ?? ''}
                {t.notification.title && t.notification.body ? ' — ' : ''}
                {t.notification.body ?? ''}”
              </span>
              <span className="row-wrap">
                <Button
                  small
                  onClick={() => {
                    setFormError('');
                    setFormErrors({});
                    setEditing({ index: i, draft: toDraft(t) });
                  }}
                >
                  Edit
                </Button>
                <Button small kind="danger" onClick={() => setDeleting(i)}>
                  Delete
                </Button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <Dialog
        open={!!editing}
        title={editing?.index === null ? `New push trigger on ${name}` : `Edit push trigger of ${name}`}
        onClose={() => setEditing(null)}
        footer={
          <>
            <Button onClick={() => setEditing(null)}>Cancel</Button>
            <Button kind="primary" type="submit" form="push-trigger-form" busy={busy}>
              Save trigger
            </Button>
          </>
        }
      >
        {draft ? (
          <form id="push-trigger-form" className="stack" onSubmit={submit} noValidate>
            <ErrorBanner error={formError} />
            <fieldset className="row-wrap">
              <legend className="field-label">When a record is</legend>
              {EVENTS.map((ev) => (
                <label className="check" key={ev}>
                  <input
                    type="checkbox"
                    name={`on.${ev}`}
                    checked={draft.on.includes(ev)}
                    onChange={(e) =>
                      set({ on: e.target.checked ? [...draft.on, ev] : draft.on.filter((x) => x !== ev) })
                    }
                  />{' '}
                  {ev}d
                </label>
              ))}
              {formErrors.on ? <span className="field-error">{formErrors.on}</span> : null}
            </fieldset>
            <Field label="Send to">
              <select
                name="target"
                value={draft.target}
                onChange={(e) => set({ target: e.target.value as Draft['target'] })}
              >
                <option value="users" disabled={!userFields.length}>
                  the users a field points at
                </option>
                <option value="topic">a topic</option>
              </select>
            </Field>
            {draft.target === 'users' ? (
              <Field
                label="User field"
                error={formErrors.userField}
                hint={
                  userFields.length
                    ? undefined
                    : `${name} has no relation to an auth collection: send to a topic.`
                }
              >
                <select
                  name="userField"
                  value={draft.userField}
                  onChange={(e) => set({ userField: e.target.value })}
                >
                  {userFields.map((f) => (
                    <option key={f}>{f}</option>
                  ))}
                </select>
              </Field>
            ) : (
              <Field label="Topic" error={formErrors.topic ?? formErrors['']} hint="May use {{field}}.">
                <input name="topic" value={draft.topic} onChange={(e) => set({ topic: e.target.value })} />
              </Field>
            )}
            <Field label="Title" error={formErrors['notification.title'] ?? formErrors.notification}>
              <input name="title" value={draft.title} onChange={(e) => set({ title: e.target.value })} />
            </Field>
            <Field label="Body" error={formErrors['notification.body']}>
              <textarea
                name="body"
                rows={3}
                value={draft.body}
                onChange={(e) => set({ body: e.target.value })}
              />
            </Field>
            <Field label="Link opened on tap" error={formErrors['notification.clickUrl']} hint="Optional.">
              <input
                name="clickUrl"
                value={draft.clickUrl}
                onChange={(e) => set({ clickUrl: e.target.value })}
              />
            </Field>
          </form>
        ) : null}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete the push trigger?"
        confirmLabel="Delete trigger"
        busy={busy}
        error={formError}
        onClose={() => setDeleting(null)}
        onConfirm={() => {
          if (deleting === null || !triggers) return;
          void save(
            triggers.filter((_, i) => i !== deleting),
            `Trigger of ${name} deleted.`,
          ).then((ok) => ok && setDeleting(null));
        }}
      >
        Records of {name} will no longer send this push.
      </ConfirmDialog>
    </section>
  );
}
