import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { CollectionModel } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import { Button, ErrorBanner, PageHeader, Spinner } from '../../components/ui';
import { href, navigate } from '../../router';
import { nextKey, toDraft, toModel, type Draft, type Errs } from './draft';
import './editor.css';
import { EditorHead, Tabs, type Tab } from './editor-head';
import { FieldsTab } from './fields-tab';
import { IndexesTab } from './indexes-tab';
import { OAuth2Editor } from './oauth2-editor';
import { SignInEditor } from './sign-in-editor';
import { RenameOffer } from './rename-offer';
import { RulesTab } from './rules-tab';
import { useUnsavedGuard } from './unsaved-guard';
import { ViewQueryTab } from './view-query-tab';
import { describeEditorError, editorErrors } from './wording';

const snapshot = (d: Draft) => JSON.stringify(toModel(d));

/** The tab that shows the first problem of a refused save. */
function tabOf(errs: Errs): Tab | undefined {
  const paths = Object.keys(errs);
  if (paths.some((p) => p.endsWith('Rule'))) return 'rules';
  if (paths.some((p) => p.startsWith('fields') || p === 'viewQuery')) return 'fields';
  if (paths.some((p) => p.startsWith('indexes'))) return 'indexes';
  if (paths.some((p) => /^(oauth2|otp|mfa)\b/.test(p))) return 'auth';
  return undefined;
}

/** Create (no name) or edit a collection: fields, rules and indexes, saved in one request. */
export function CollectionEditorPage({ name }: { name?: string }) {
  const [draft, setDraft] = useState<Draft | null>(name ? null : toDraft());
  const [original, setOriginal] = useState<CollectionModel | null>(null);
  const [all, setAll] = useState<CollectionModel[]>([]);
  const [tab, setTab] = useState<Tab>('fields');
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Errs>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');
  const form = useRef<HTMLFormElement>(null);
  // What was last loaded or saved: the guard compares the draft with it.
  const baseline = useRef<string | null>(name ? null : snapshot(toDraft()));
  const current = useRef(draft);
  current.current = draft;
  useUnsavedGuard(
    () => !!current.current && baseline.current !== null && snapshot(current.current) !== baseline.current,
  );

  useEffect(() => {
    let live = true;
    client.collections
      .list()
      .then((list) => live && setAll(list))
      .catch(() => undefined);
    if (name) {
      client.collections
        .get(name)
        .then((c) => {
          if (!live) return;
          const d = toDraft(c);
          baseline.current = snapshot(d);
          setOriginal(c);
          setDraft(d);
        })
        .catch((err) => live && setError(describeError(err)));
    }
    return () => {
      live = false;
    };
  }, [name]);

  const loaded = !!draft;
  useEffect(() => {
    if (!loaded) return;
    // Focus where the work starts: the name of a new collection, the first field of an existing one.
    const find = (selector: string) => form.current?.querySelector<HTMLInputElement>(selector);
    (name
      ? (find('input[name^=field-name-]') ?? find('input[name=name]'))
      : find('input[name=name]')
    )?.focus();
  }, [loaded, name]);

  const save = async () => {
    const d = current.current;
    if (!d || busy) return;
    setBusy(true);
    setError('');
    setErrs({});
    setSaved('');
    try {
      const model = toModel(d);
      const result = original
        ? await client.collections.update(original.id ?? original.name, model)
        : await client.collections.create(model);
      const next = toDraft(result);
      baseline.current = snapshot(next);
      setOriginal(result);
      setDraft(next);
      setAll((list) => [...list.filter((c) => c.id !== result.id), result]);
      setSaved(`Saved ${result.name}.`);
      if (!name || result.name !== name) navigate(`/collections/${result.name}/schema`);
    } catch (err) {
      const byPath = editorErrors(err);
      setErrs(byPath);
      setError(describeEditorError(err));
      const t = tabOf(byPath);
      if (t) setTab(t);
    } finally {
      setBusy(false);
    }
  };
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void saveRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!draft) return error ? <ErrorBanner error={error} /> : <Spinner />;

  const update = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const self = toModel(draft);
  const others = all.filter((c) => c.name !== original?.name);
  const lost = original
    ? original.fields.filter((f) => !draft.fields.some((d) => d.id && d.id === f.id)).map((f) => f.name)
    : [];

  return (
    <form
      ref={form}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void save();
      }}
      className="editor"
      noValidate
    >
      <PageHeader
        title={original ? `Schema of ${original.name}` : 'New collection'}
        subtitle={
          original ? (
            <a href={href(`/collections/${original.name}`)}>Open the records</a>
          ) : (
            'Name it, add fields, then decide who may do what.'
          )
        }
        actions={
          <>
            <Button onClick={() => navigate('/collections')}>Back</Button>
            <Button kind="primary" type="submit" busy={busy} testId="save-collection" title="Save (Ctrl+S)">
              {original ? 'Save changes' : 'Create collection'}
            </Button>
          </>
        }
      />
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {saved ? <div className="banner banner-ok">{saved}</div> : null}
      {lost.length ? (
        <div className="banner banner-warn">
          Saving deletes the field{lost.length > 1 ? 's' : ''} <strong>{lost.join(', ')}</strong> and the data
          in
          {lost.length > 1 ? ' them' : ' it'} from every record.
        </div>
      ) : null}
      <RenameOffer draft={draft} onRewrite={(rules) => update({ rules })} />
      <EditorHead draft={draft} errs={errs} locked={!!original} onChange={update} />
      <Tabs draft={draft} errs={errs} tab={tab} onTab={setTab} />

      {tab === 'fields' && draft.type === 'view' ? (
        <ViewQueryTab
          query={draft.viewQuery}
          fields={draft.fields}
          error={errs.viewQuery}
          onChange={(viewQuery) => update({ viewQuery })}
        />
      ) : null}
      {tab === 'fields' && draft.type !== 'view' ? (
        <FieldsTab
          fields={draft.fields}
          errs={errs}
          collections={all.map((c) => c.name)}
          onChange={(fields, reorder) => {
            update({ fields });
            // Problems are reported by position: after a move or removal they would point at the wrong row.
            if (reorder) setErrs({});
          }}
          onAdd={() =>
            update({ fields: [...draft.fields, { _key: nextKey(), name: '', type: 'text', _open: true }] })
          }
        />
      ) : null}
      {tab === 'rules' ? (
        <RulesTab
          draft={draft}
          self={self}
          all={others}
          errs={errs}
          onChange={(key, rule) => update({ rules: { ...draft.rules, [key]: rule } })}
        />
      ) : null}
      {tab === 'indexes' ? (
        <IndexesTab indexes={draft.indexes} errs={errs} onChange={(indexes) => update({ indexes })} />
      ) : null}
      {tab === 'auth' && draft.type === 'auth' ? (
        <>
          <OAuth2Editor value={draft.oauth2} errs={errs} onChange={(oauth2) => update({ oauth2 })} />
          <SignInEditor value={draft.signIn} errs={errs} onChange={(signIn) => update({ signIn })} />
        </>
      ) : null}
    </form>
  );
}
