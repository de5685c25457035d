import { useEffect, useState, type FormEvent } from 'react';
import type { CollectionModel, FieldModel, FieldType } from '@plinth/sdk';
import { client, describeError, errorsByPath } from '../api/client';
import { Button, ErrorBanner, Field, PageHeader, Spinner } from '../components/ui';
import { href, navigate } from '../router';

const TYPES: FieldType[] = [
  'text',
  'number',
  'bool',
  'email',
  'url',
  'date',
  'select',
  'json',
  'relation',
  'file',
];
const RULES = [
  { key: 'listRule', label: 'List', hint: 'Who may list and search records. A rule filters the list.' },
  { key: 'viewRule', label: 'View', hint: 'Who may read one record.' },
  { key: 'createRule', label: 'Create', hint: 'Who may create records; @request.body.* is the new record.' },
  { key: 'updateRule', label: 'Update', hint: 'Who may change a record.' },
  { key: 'deleteRule', label: 'Delete', hint: 'Who may delete a record.' },
] as const;
type RuleKey = (typeof RULES)[number]['key'];

interface DraftField extends FieldModel {
  /** Local key for React; the server's `id` is kept so that a new name is a rename. */
  _key: string;
  _original?: string;
  _open?: boolean;
}

interface ProviderDraft {
  _key: string;
  name: string;
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
  issuer: string;
}

interface OAuth2Draft {
  enabled: boolean;
  redirectAllowList: string;
  providers: ProviderDraft[];
}

interface Draft {
  name: string;
  type: 'base' | 'auth';
  fields: DraftField[];
  rules: Record<RuleKey, { mode: 'admins' | 'anyone' | 'rule'; expr: string }>;
  indexes: Array<{ _key: string; fields: string; unique: boolean }>;
  oauth2: OAuth2Draft;
}

const PROVIDER_KEYS = ['clientId', 'clientSecret', 'authUrl', 'tokenUrl', 'userInfoUrl', 'issuer'] as const;

function toOAuth2Draft(raw: unknown): OAuth2Draft {
  const o = (raw && typeof raw === 'object' ? raw : {}) as {
    enabled?: boolean;
    redirectAllowList?: string[];
    providers?: Array<Record<string, string>>;
  };
  return {
    enabled: o.enabled === true,
    redirectAllowList: (o.redirectAllowList ?? []).join('\n'),
    providers: (o.providers ?? []).map((p) => ({
      _key: nextKey(),
      name: p.name ?? 'google',
      clientId: p.clientId ?? '',
      clientSecret: '',
      authUrl: p.authUrl ?? '',
      tokenUrl: p.tokenUrl ?? '',
      userInfoUrl: p.userInfoUrl ?? '',
      issuer: p.issuer ?? '',
    })),
  };
}

let keySeq = 0;
const nextKey = () => `k${++keySeq}`;

function toDraft(c?: CollectionModel): Draft {
  const rules = {} as Draft['rules'];
  for (const r of RULES) {
    const v = c ? c[r.key] : null;
    rules[r.key] =
      v === null || v === undefined
        ? { mode: 'admins', expr: '' }
        : v === ''
          ? { mode: 'anyone', expr: '' }
          : { mode: 'rule', expr: v };
  }
  return {
    name: c?.name ?? '',
    type: c?.type ?? 'base',
    fields: (c?.fields ?? []).map((f) => ({ ...f, _key: nextKey(), _original: f.name })),
    rules,
    indexes: (c?.indexes ?? []).map((i) => ({
      _key: nextKey(),
      fields: i.fields.join(', '),
      unique: !!i.unique,
    })),
    oauth2: toOAuth2Draft(c?.oauth2),
  };
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function toModel(d: Draft): CollectionModel {
  const fields = d.fields.map((f) => {
    const { _key, _original, _open, ...rest } = f;
    void _key;
    void _original;
    void _open;
    const out = {} as FieldModel;
    for (const [k, v] of Object.entries(rest)) if (v !== undefined && v !== '') out[k] = v;
    return out;
  });
  const model: CollectionModel = {
    name: d.name.trim(),
    type: d.type,
    fields,
    indexes: d.indexes.map((i) => ({ fields: list(i.fields), unique: i.unique })),
  };
  for (const r of RULES) {
    const rule = d.rules[r.key];
    model[r.key] = rule.mode === 'admins' ? null : rule.mode === 'anyone' ? '' : rule.expr;
  }
  if (d.type === 'auth') {
    model.oauth2 = {
      enabled: d.oauth2.enabled,
      redirectAllowList: d.oauth2.redirectAllowList
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean),
      // A secret left empty keeps the stored one; endpoints left empty use the provider's defaults.
      providers: d.oauth2.providers.map((p) => {
        const out: Record<string, string> = {
          name: p.name,
          clientId: p.clientId,
          clientSecret: p.clientSecret,
        };
        for (const k of ['authUrl', 'tokenUrl', 'userInfoUrl', 'issuer'] as const) if (p[k]) out[k] = p[k];
        return out;
      }),
    };
  }
  return model;
}

function numberOrUndefined(v: string): number | undefined {
  if (v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Create (no name) or edit a collection: fields, rules and indexes, saved in one request. */
export function CollectionEditorPage({ name }: { name?: string }) {
  const [draft, setDraft] = useState<Draft | null>(name ? null : toDraft());
  const [original, setOriginal] = useState<CollectionModel | null>(null);
  const [others, setOthers] = useState<string[]>([]);
  const [tab, setTab] = useState<'fields' | 'rules' | 'indexes' | 'auth'>('fields');
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');

  useEffect(() => {
    let live = true;
    client.collections
      .list()
      .then((all) => live && setOthers(all.map((c) => c.name)))
      .catch(() => undefined);
    if (name) {
      client.collections
        .get(name)
        .then((c) => {
          if (!live) return;
          setOriginal(c);
          setDraft(toDraft(c));
        })
        .catch((err) => live && setError(describeError(err)));
    }
    return () => {
      live = false;
    };
  }, [name]);

  if (!draft) return error ? <ErrorBanner error={error} /> : <Spinner />;

  const update = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const setField = (i: number, patch: Partial<DraftField>) =>
    update({ fields: draft.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  const moveField = (i: number, by: number) => {
    const fields = [...draft.fields];
    const [f] = fields.splice(i, 1);
    fields.splice(i + by, 0, f);
    update({ fields });
    setErrs({});
  };
  const addField = () =>
    update({ fields: [...draft.fields, { _key: nextKey(), name: '', type: 'text', _open: true }] });
  const removeField = (i: number) => {
    update({ fields: draft.fields.filter((_, j) => j !== i) });
    setErrs({});
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setErrs({});
    setSaved('');
    try {
      const model = toModel(draft);
      const result = original
        ? await client.collections.update(original.id ?? original.name, model)
        : await client.collections.create(model);
      setOriginal(result);
      setDraft(toDraft(result));
      setSaved(`Saved ${result.name}.`);
      if (!name || result.name !== name) navigate(`/collections/${result.name}/schema`);
    } catch (err) {
      const byPath = errorsByPath(err);
      setErrs(byPath);
      setError(describeError(err));
      if (Object.keys(byPath).some((p) => p.endsWith('Rule'))) setTab('rules');
      else if (Object.keys(byPath).some((p) => p.startsWith('fields'))) setTab('fields');
      else if (Object.keys(byPath).some((p) => p.startsWith('indexes'))) setTab('indexes');
      else if (Object.keys(byPath).some((p) => p.startsWith('oauth2'))) setTab('auth');
    } finally {
      setBusy(false);
    }
  };

  const lost = original
    ? original.fields.filter((f) => !draft.fields.some((d) => d.id && d.id === f.id)).map((f) => f.name)
    : [];
  const tabErr = (prefix: string) => Object.keys(errs).some((p) => p.startsWith(prefix));

  return (
    <form onSubmit={save} className="editor" noValidate>
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
            <Button kind="primary" type="submit" busy={busy} testId="save-collection">
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
      <div className="card grid-2">
        <Field
          label="Name"
          hint="Lowercase letters, digits and _; it is the URL of the API."
          error={errs.name}
        >
          <input
            name="name"
            value={draft.name}
            onChange={(e) => update({ name: e.target.value })}
            placeholder="posts"
          />
        </Field>
        <Field
          label="Type"
          error={errs.type}
          hint={draft.type === 'auth' ? 'Adds email, password and verification.' : 'Plain records.'}
        >
          <select
            value={draft.type}
            disabled={!!original}
            onChange={(e) => update({ type: e.target.value as Draft['type'] })}
          >
            <option value="base">base</option>
            <option value="auth">auth (users who sign in)</option>
          </select>
        </Field>
      </div>

      <div className="tabs" role="tablist">
        {(draft.type === 'auth'
          ? (['fields', 'rules', 'indexes', 'auth'] as const)
          : (['fields', 'rules', 'indexes'] as const)
        ).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'tab active' : 'tab'}
            onClick={() => setTab(t)}
          >
            {t === 'fields'
              ? `Fields (${draft.fields.length})`
              : t === 'rules'
                ? 'Rules'
                : t === 'indexes'
                  ? 'Indexes'
                  : 'Sign-in'}
            {t === 'auth' && tabErr('oauth2') ? <span className="dot" /> : null}
            {(t === 'fields' || t === 'indexes') && tabErr(t) ? <span className="dot" /> : null}
            {t === 'rules' && Object.keys(errs).some((p) => p.endsWith('Rule')) ? (
              <span className="dot" />
            ) : null}
          </button>
        ))}
      </div>

      {tab === 'fields' ? (
        <div className="stack">
          {draft.fields.length === 0 ? (
            <p className="muted">
              No fields yet. Every record has <code>id</code>, <code>created</code> and <code>updated</code>;
              add the fields your app needs.
            </p>
          ) : null}
          <ErrorBanner error={errs.fields} />
          {draft.fields.map((f, i) => (
            <FieldRow
              key={f._key}
              field={f}
              index={i}
              count={draft.fields.length}
              errs={errs}
              collections={others}
              onChange={(patch) => setField(i, patch)}
              onMove={(by) => moveField(i, by)}
              onRemove={() => removeField(i)}
            />
          ))}
          <div>
            <Button onClick={addField} testId="add-field">
              + Add field
            </Button>
          </div>
        </div>
      ) : null}

      {tab === 'rules' ? (
        <div className="stack">
          <p className="muted">
            Admins and admin API keys always have access. A rule is a filter over the record and{' '}
            <code>@request.auth.*</code>, e.g. <code>author = @request.auth.id</code> or{' '}
            <code>status = 'live' || @request.auth.id != ''</code>.
          </p>
          {RULES.map((r) => {
            const rule = draft.rules[r.key];
            const setRule = (patch: Partial<typeof rule>) =>
              update({ rules: { ...draft.rules, [r.key]: { ...rule, ...patch } } });
            return (
              <div className="card rule" key={r.key} data-rule={r.key}>
                <div className="rule-head">
                  <strong>{r.label}</strong>
                  <select
                    aria-label={`${r.label} access`}
                    value={rule.mode}
                    onChange={(e) => setRule({ mode: e.target.value as typeof rule.mode })}
                  >
                    <option value="admins">Admins only</option>
                    <option value="anyone">Anyone, signed in or not</option>
                    <option value="rule">Only when a rule matches</option>
                  </select>
                  <span className="muted small">{r.hint}</span>
                </div>
                {rule.mode === 'rule' ? (
                  <Field label={`${r.label} rule`} error={errs[r.key]}>
                    <textarea
                      name={r.key}
                      className="mono"
                      rows={2}
                      value={rule.expr}
                      onChange={(e) => setRule({ expr: e.target.value })}
                      placeholder="@request.auth.id != ''"
                    />
                  </Field>
                ) : errs[r.key] ? (
                  <span className="field-error">{errs[r.key]}</span>
                ) : null}
              </div>
            );
          })}
        </div>
      ) : null}

      {tab === 'indexes' ? (
        <div className="stack">
          <p className="muted">
            Indexes make filters and sorts on these fields fast; a unique index refuses duplicates.
          </p>
          {draft.indexes.map((ix, i) => (
            <div className="card row-wrap" key={ix._key}>
              <Field
                label="Fields (comma separated)"
                error={errs[`indexes.${i}.fields`] ?? errs[`indexes.${i}`]}
              >
                <input
                  value={ix.fields}
                  onChange={(e) =>
                    update({
                      indexes: draft.indexes.map((x, j) => (j === i ? { ...x, fields: e.target.value } : x)),
                    })
                  }
                  placeholder="status, created"
                />
              </Field>
              <label className="check">
                <input
                  type="checkbox"
                  checked={ix.unique}
                  onChange={(e) =>
                    update({
                      indexes: draft.indexes.map((x, j) =>
                        j === i ? { ...x, unique: e.target.checked } : x,
                      ),
                    })
                  }
                />{' '}
                unique
              </label>
              <Button
                small
                kind="ghost"
                onClick={() => update({ indexes: draft.indexes.filter((_, j) => j !== i) })}
              >
                Remove
              </Button>
            </div>
          ))}
          <div>
            <Button
              onClick={() =>
                update({ indexes: [...draft.indexes, { _key: nextKey(), fields: '', unique: false }] })
              }
            >
              + Add index
            </Button>
          </div>
        </div>
      ) : null}
      {tab === 'auth' && draft.type === 'auth' ? (
        <OAuth2Editor value={draft.oauth2} errs={errs} onChange={(oauth2) => update({ oauth2 })} />
      ) : null}
    </form>
  );
}

function OAuth2Editor(props: {
  value: OAuth2Draft;
  errs: Record<string, string>;
  onChange: (v: OAuth2Draft) => void;
}) {
  const { value: o, errs } = props;
  const base = 'oauth2';
  const setProvider = (i: number, patch: Partial<ProviderDraft>) =>
    props.onChange({ ...o, providers: o.providers.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const listErrors = Object.entries(errs)
    .filter(([k]) => k.startsWith(`${base}.redirectAllowList`))
    .map(([, v]) => v)
    .join('; ');
  return (
    <div className="stack">
      <p className="muted">
        Users of this collection sign in with a password (at least 10 characters) and, when switched on, with
        the providers below. After a social sign-in Plinth redirects only to URLs that start with an allowed
        entry.
      </p>
      <ErrorBanner error={errs[base]} />
      <label className="check">
        <input
          type="checkbox"
          name="oauth2-enabled"
          checked={o.enabled}
          onChange={(e) => props.onChange({ ...o, enabled: e.target.checked })}
        />{' '}
        social sign-in switched on
      </label>
      <Field label="Redirect allow-list (one URL per line)" error={listErrors || errs[`${base}.enabled`]}>
        <textarea
          name="redirectAllowList"
          className="mono"
          rows={3}
          value={o.redirectAllowList}
          placeholder="https://app.example/auth"
          onChange={(e) => props.onChange({ ...o, redirectAllowList: e.target.value })}
        />
      </Field>
      {o.providers.map((p, i) => {
        const pe = (k: string) => errs[`${base}.providers.${i}.${k}`];
        return (
          <div className="card" key={p._key}>
            <div className="section-head">
              <Field label="Provider" error={pe('name') ?? errs[`${base}.providers.${i}`]}>
                <select value={p.name} onChange={(e) => setProvider(i, { name: e.target.value })}>
                  <option value="google">Google</option>
                  <option value="github">GitHub</option>
                  <option value="oidc">OpenID Connect</option>
                </select>
              </Field>
              <Button
                small
                kind="ghost"
                onClick={() => props.onChange({ ...o, providers: o.providers.filter((_, j) => j !== i) })}
              >
                Remove
              </Button>
            </div>
            <div className="grid-2">
              {PROVIDER_KEYS.filter((k) =>
                p.name === 'oidc' ? !['authUrl', 'tokenUrl', 'userInfoUrl'].includes(k) : k !== 'issuer',
              ).map((k) => (
                <Field
                  key={k}
                  label={
                    k === 'clientId'
                      ? 'Client id'
                      : k === 'clientSecret'
                        ? 'Client secret'
                        : k === 'issuer'
                          ? 'Issuer URL'
                          : `${k.replace('Url', '')} URL (optional)`
                  }
                  error={pe(k)}
                  hint={
                    k === 'clientSecret' ? 'Write-only. Leave empty to keep the stored secret.' : undefined
                  }
                >
                  <input
                    name={`provider-${i}-${k}`}
                    type={k === 'clientSecret' ? 'password' : 'text'}
                    autoComplete={k === 'clientSecret' ? 'new-password' : 'off'}
                    value={p[k]}
                    onChange={(e) => setProvider(i, { [k]: e.target.value })}
                  />
                </Field>
              ))}
            </div>
          </div>
        );
      })}
      <div>
        <Button
          onClick={() =>
            props.onChange({
              ...o,
              providers: [
                ...o.providers,
                {
                  _key: nextKey(),
                  name: 'google',
                  clientId: '',
                  clientSecret: '',
                  authUrl: '',
                  tokenUrl: '',
                  userInfoUrl: '',
                  issuer: '',
                },
              ],
            })
          }
        >
          + Add provider
        </Button>
      </div>
    </div>
  );
}

function FieldRow(props: {
  field: DraftField;
  index: number;
  count: number;
  errs: Record<string, string>;
  collections: string[];
  onChange: (patch: Partial<DraftField>) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const { field: f, index: i, errs } = props;
  const p = `fields.${i}`;
  const err = (k: string) => errs[`${p}.${k}`];
  const rowErrors = Object.entries(errs)
    .filter(([k]) => k === p || (k.startsWith(`${p}.`) && !['name', 'type'].includes(k.slice(p.length + 1))))
    .filter(([k]) => !f._open || k === p)
    .map(([, v]) => v);
  const renamed = f.id && f._original && f._original !== f.name;
  const num = (k: keyof FieldModel, label: string, hint?: string) => (
    <Field label={label} error={err(k as string)} hint={hint}>
      <input
        type="number"
        value={(f[k] as number | undefined) ?? ''}
        onChange={(e) => props.onChange({ [k]: numberOrUndefined(e.target.value) } as Partial<DraftField>)}
      />
    </Field>
  );
  const csv = (k: 'values' | 'mimeTypes' | 'thumbs', label: string, placeholder: string) => (
    <Field label={label} error={err(k)}>
      <input
        value={(f[k] ?? []).join(', ')}
        placeholder={placeholder}
        onChange={(e) =>
          props.onChange({
            [k]: e.target.value
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean),
          })
        }
      />
    </Field>
  );
  return (
    <div
      className={
        Object.keys(errs).some((k) => k === p || k.startsWith(`${p}.`))
          ? 'card field-card has-error'
          : 'card field-card'
      }
      data-field-index={i}
    >
      <div className="field-row">
        <div className="order">
          <button
            type="button"
            className="icon-btn"
            aria-label={`Move ${f.name || 'field'} up`}
            disabled={i === 0}
            onClick={() => props.onMove(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="icon-btn"
            aria-label={`Move ${f.name || 'field'} down`}
            disabled={i === props.count - 1}
            onClick={() => props.onMove(1)}
          >
            ↓
          </button>
        </div>
        <Field
          label="Name"
          error={err('name')}
          hint={renamed ? `Renamed from ${f._original}; the data stays.` : undefined}
        >
          <input
            name={`field-name-${i}`}
            value={f.name}
            onChange={(e) => props.onChange({ name: e.target.value })}
            placeholder="title"
          />
        </Field>
        <Field label="Type" error={err('type')}>
          <select
            name={`field-type-${i}`}
            value={f.type}
            disabled={!!f.id}
            onChange={(e) => props.onChange({ type: e.target.value as FieldType })}
          >
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </Field>
        <label className="check">
          <input
            type="checkbox"
            name={`field-required-${i}`}
            checked={!!f.required}
            onChange={(e) => props.onChange({ required: e.target.checked })}
          />{' '}
          required
        </label>
        <div className="field-row-actions">
          <Button small kind="ghost" onClick={() => props.onChange({ _open: !f._open })}>
            {f._open ? 'Hide options' : 'Options'}
          </Button>
          <Button small kind="ghost" onClick={props.onRemove}>
            Remove
          </Button>
        </div>
      </div>
      {rowErrors.length ? <div className="field-error">{rowErrors.join('; ')}</div> : null}
      {f._open ? (
        <div className="options">
          {f.type === 'text' ? (
            <>
              {num('min', 'Min length')}
              {num('max', 'Max length')}
              <Field label="Pattern (regular expression)" error={err('pattern')}>
                <input
                  className="mono"
                  value={f.pattern ?? ''}
                  onChange={(e) => props.onChange({ pattern: e.target.value || undefined })}
                />
              </Field>
            </>
          ) : null}
          {f.type === 'number' ? (
            <>
              {num('min', 'Min')}
              {num('max', 'Max')}
              <label className="check">
                <input
                  type="checkbox"
                  checked={!!f.onlyInt}
                  onChange={(e) => props.onChange({ onlyInt: e.target.checked })}
                />{' '}
                integers only
              </label>
            </>
          ) : null}
          {f.type === 'select' ? (
            <>
              {csv('values', 'Values (comma separated)', 'draft, live')}
              {num('maxSelect', 'Max selected', '1 = one value; more = a list')}
            </>
          ) : null}
          {f.type === 'relation' ? (
            <>
              <Field label="Collection" error={err('collection')}>
                <select
                  value={f.collection ?? ''}
                  onChange={(e) => props.onChange({ collection: e.target.value || undefined })}
                >
                  <option value="">Choose…</option>
                  {props.collections.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </Field>
              {num('maxSelect', 'Max related', '1 = one record; more = a list')}
              <Field label="When the related record is deleted" error={err('onDelete')}>
                <select
                  value={f.onDelete ?? 'set-null'}
                  onChange={(e) => props.onChange({ onDelete: e.target.value as FieldModel['onDelete'] })}
                >
                  <option value="set-null">clear this field</option>
                  <option value="cascade">delete this record too</option>
                  <option value="restrict">refuse the delete</option>
                </select>
              </Field>
            </>
          ) : null}
          {f.type === 'file' ? (
            <>
              {num('maxSelect', 'Max files')}
              {num('maxSize', 'Max size (bytes)')}
              {csv('mimeTypes', 'Allowed types', 'image/png, image/jpeg')}
              {csv('thumbs', 'Thumbnail sizes', '100x100')}
              <label className="check">
                <input
                  type="checkbox"
                  checked={!!f.protected}
                  onChange={(e) => props.onChange({ protected: e.target.checked })}
                />{' '}
                protected (needs a file token)
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  checked={!!f.inlinePdf}
                  onChange={(e) => props.onChange({ inlinePdf: e.target.checked })}
                />{' '}
                show PDFs in the browser (otherwise they download)
              </label>
            </>
          ) : null}
          <label className="check">
            <input
              type="checkbox"
              checked={!!f.unique}
              onChange={(e) => props.onChange({ unique: e.target.checked })}
            />{' '}
            unique
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={!!f.hidden}
              onChange={(e) => props.onChange({ hidden: e.target.checked })}
            />{' '}
            hidden (only admins see it)
          </label>
          {Object.entries(errs)
            .filter(
              ([k]) =>
                k.startsWith(`${p}.`) &&
                ![
                  'name',
                  'type',
                  'min',
                  'max',
                  'pattern',
                  'values',
                  'maxSelect',
                  'collection',
                  'onDelete',
                  'maxSize',
                  'mimeTypes',
                  'thumbs',
                ].includes(k.slice(p.length + 1)),
            )
            .map(([k, v]) => (
              <span key={k} className="field-error">
                {k.slice(p.length + 1)}: {v}
              </span>
            ))}
        </div>
      ) : null}
    </div>
  );
}
