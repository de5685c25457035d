import { useEffect, useState, type FormEvent } from 'react';
import type { CollectionModel, FieldModel, RecordModel } from '@plinth/sdk';
import { client, describeError, errorsByPath } from '../api/client';
import { Button, Dialog, ErrorBanner, Field } from '../components/ui';

type Value = string | boolean | string[] | File[];

const multi = (f: FieldModel) => (f.maxSelect ?? 1) > 1;

/** `2024-05-01T10:00:00.000Z` → the `datetime-local` input's local time. */
function toLocalInput(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function initial(f: FieldModel, record: RecordModel | null): Value {
  const v = record ? record[f.name] : f.default;
  switch (f.type) {
    case 'bool':
      return v === true;
    case 'date':
      return toLocalInput(v);
    case 'json':
      return v === undefined || v === null ? '' : JSON.stringify(v, null, 2);
    case 'select':
      return multi(f) ? (Array.isArray(v) ? v.map(String) : []) : typeof v === 'string' ? v : '';
    case 'relation':
      return Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : '';
    case 'file':
      return [] as File[];
    default:
      return v === undefined || v === null ? '' : String(v);
  }
}

/** The value sent for one field, or an error message for the form to show. */
function outgoing(f: FieldModel, v: Value): { value?: unknown; error?: string; skip?: boolean } {
  switch (f.type) {
    case 'bool':
      return { value: v === true };
    case 'number': {
      if (v === '') return { value: null };
      const n = Number(v);
      return Number.isFinite(n) ? { value: n } : { error: 'is not a number' };
    }
    case 'date':
      return { value: v ? new Date(v as string).toISOString() : null };
    case 'json':
      if (v === '') return { value: null };
      try {
        return { value: JSON.parse(v as string) };
      } catch (err) {
        return { error: `is not valid JSON: ${(err as Error).message}` };
      }
    case 'select':
      return { value: multi(f) ? v : v === '' ? null : v };
    case 'relation': {
      const ids = (v as string)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return { value: multi(f) ? ids : (ids[0] ?? null) };
    }
    case 'file': {
      const files = v as File[];
      return files.length ? { value: multi(f) ? files : files[0] } : { skip: true };
    }
    default:
      return { value: v === '' ? (f.required ? '' : null) : v };
  }
}

/** Create or edit a record; the inputs follow the collection's fields. */
export function RecordForm(props: {
  collection: CollectionModel;
  record: RecordModel | null;
  onClose: () => void;
  onSaved: (r: RecordModel) => void;
}) {
  const { collection, record } = props;
  const auth = collection.type === 'auth';
  const [values, setValues] = useState<Record<string, Value>>(() =>
    Object.fromEntries(collection.fields.map((f) => [f.name, initial(f, record)])),
  );
  const [authValues, setAuthValues] = useState({
    email: String(record?.email ?? ''),
    password: '',
    emailVisibility: record?.emailVisibility === true,
    verified: record?.verified === true,
  });
  const [revoked, setRevoked] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [previews, setPreviews] = useState<Record<string, string[]>>({});

  useEffect(
    () => () =>
      Object.values(previews)
        .flat()
        .forEach((u) => URL.revokeObjectURL(u)),
    [previews],
  );

  const set = (name: string, v: Value) => setValues((s) => ({ ...s, [name]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    const local: Record<string, string> = {};
    for (const f of collection.fields) {
      const out = outgoing(f, values[f.name]);
      if (out.error) local[f.name] = out.error;
      else if (!out.skip) body[f.name] = out.value;
    }
    if (auth) {
      body.email = authValues.email;
      body.emailVisibility = authValues.emailVisibility;
      if (record && authValues.verified !== (record.verified === true)) body.verified = authValues.verified;
      if (authValues.password) {
        body.password = authValues.password;
        body.passwordConfirm = authValues.password;
      }
    }
    setErrs(local);
    if (Object.keys(local).length) {
      setError('Some fields need a fix before saving.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const saved = record
        ? await client.collection(collection.name).update(record.id, body)
        : await client.collection(collection.name).create(body);
      props.onSaved(saved as RecordModel);
    } catch (err) {
      setError(describeError(err));
      setErrs(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };

  const existingFiles = (f: FieldModel): string[] => {
    const v = record?.[f.name];
    return Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : [];
  };

  return (
    <Dialog
      open
      wide
      title={record ? `Edit record ${record.id}` : `New record in ${collection.name}`}
      onClose={props.onClose}
      footer={
        <>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" type="submit" form="record-form" busy={busy} testId="save-record">
            {record ? 'Save' : 'Create'}
          </Button>
        </>
      }
    >
      <form id="record-form" onSubmit={submit} className="stack" noValidate>
        <ErrorBanner error={error} />
        {auth ? (
          <>
            <Field label="Email" error={errs.email}>
              <input
                type="email"
                name="email"
                value={authValues.email}
                onChange={(e) => setAuthValues({ ...authValues, email: e.target.value })}
              />
            </Field>
            <Field
              label={record ? 'New password' : 'Password'}
              hint={record ? 'Leave empty to keep the current password.' : undefined}
              error={errs.password ?? errs.passwordConfirm}
            >
              <input
                type="password"
                name="password"
                autoComplete="new-password"
                value={authValues.password}
                onChange={(e) => setAuthValues({ ...authValues, password: e.target.value })}
              />
            </Field>
            <label className="check">
              <input
                type="checkbox"
                checked={authValues.emailVisibility}
                onChange={(e) => setAuthValues({ ...authValues, emailVisibility: e.target.checked })}
              />{' '}
              email visible to other users
            </label>
            {record ? (
              <div className="row-wrap">
                <label className="check">
                  <input
                    type="checkbox"
                    name="verified"
                    checked={authValues.verified}
                    onChange={(e) => setAuthValues({ ...authValues, verified: e.target.checked })}
                  />{' '}
                  email verified
                </label>
                <Button
                  small
                  onClick={async () => {
                    try {
                      await client.collection(collection.name).revokeSessions(record.id);
                      setRevoked('Every session of this user has ended; they must sign in again.');
                    } catch (err) {
                      setRevoked(describeError(err));
                    }
                  }}
                >
                  Revoke sessions
                </Button>
                {revoked ? <span className="muted small">{revoked}</span> : null}
              </div>
            ) : null}
          </>
        ) : null}
        {collection.fields.length === 0 ? (
          <p className="muted">This collection has no fields yet; add some in its schema.</p>
        ) : null}
        {collection.fields.map((f) => {
          const v = values[f.name];
          const label = `${f.name}${f.required ? ' *' : ''}`;
          const common = { name: f.name, id: `field-${f.name}` };
          const error = errs[f.name];
          switch (f.type) {
            case 'bool':
              return (
                <label className="check" key={f.name}>
                  <input
                    {...common}
                    type="checkbox"
                    checked={v === true}
                    onChange={(e) => set(f.name, e.target.checked)}
                  />{' '}
                  {f.name}
                  {error ? <span className="field-error">{error}</span> : null}
                </label>
              );
            case 'number':
              return (
                <Field key={f.name} label={label} error={error}>
                  <input
                    {...common}
                    type="number"
                    step={f.onlyInt ? 1 : 'any'}
                    min={f.min}
                    max={f.max}
                    value={v as string}
                    onChange={(e) => set(f.name, e.target.value)}
                  />
                </Field>
              );
            case 'date':
              return (
                <Field key={f.name} label={label} error={error} hint="Your local time; stored in UTC.">
                  <input
                    {...common}
                    type="datetime-local"
                    value={v as string}
                    onChange={(e) => set(f.name, e.target.value)}
                  />
                </Field>
              );
            case 'json':
              return (
                <Field key={f.name} label={label} error={error} hint="Any JSON value.">
                  <textarea
                    {...common}
                    className="mono"
                    rows={4}
                    value={v as string}
                    onChange={(e) => set(f.name, e.target.value)}
                  />
                </Field>
              );
            case 'select':
              return multi(f) ? (
                <fieldset key={f.name} className="field">
                  <legend className="field-label">{label}</legend>
                  <div className="row-wrap">
                    {(f.values ?? []).map((opt) => (
                      <label className="check" key={opt}>
                        <input
                          type="checkbox"
                          name={f.name}
                          checked={(v as string[]).includes(opt)}
                          onChange={(e) =>
                            set(
                              f.name,
                              e.target.checked
                                ? [...(v as string[]), opt]
                                : (v as string[]).filter((x) => x !== opt),
                            )
                          }
                        />{' '}
                        {opt}
                      </label>
                    ))}
                  </div>
                  {error ? <span className="field-error">{error}</span> : null}
                </fieldset>
              ) : (
                <Field key={f.name} label={label} error={error}>
                  <select {...common} value={v as string} onChange={(e) => set(f.name, e.target.value)}>
                    <option value="">—</option>
                    {(f.values ?? []).map((opt) => (
                      <option key={opt}>{opt}</option>
                    ))}
                  </select>
                </Field>
              );
            case 'relation':
              return (
                <RelationInput
                  key={f.name}
                  field={f}
                  label={label}
                  error={error}
                  value={v as string}
                  onChange={(x) => set(f.name, x)}
                />
              );
            case 'file':
              return (
                <Field
                  key={f.name}
                  label={label}
                  error={error}
                  hint={
                    existingFiles(f).length
                      ? `Stored: ${existingFiles(f).join(', ')}. Choosing files replaces ${multi(f) ? 'them' : 'it'}.`
                      : f.mimeTypes?.length
                        ? `Allowed: ${f.mimeTypes.join(', ')}`
                        : undefined
                  }
                >
                  {record && existingFiles(f).length ? (
                    <div className="thumbs">
                      {existingFiles(f).map((name) =>
                        /\.(png|jpe?g|gif|webp)$/i.test(name) ? (
                          <img
                            key={name}
                            alt={name}
                            src={client.files.url(record, name, { thumb: f.thumbs?.[0] })}
                          />
                        ) : (
                          <a
                            key={name}
                            href={client.files.url(record, name)}
                            target="_blank"
                            rel="noreferrer"
                          >
                            {name}
                          </a>
                        ),
                      )}
                    </div>
                  ) : null}
                  <input
                    {...common}
                    type="file"
                    multiple={multi(f)}
                    accept={f.mimeTypes?.join(',')}
                    onChange={(e) => {
                      const files = [...(e.target.files ?? [])];
                      set(f.name, files);
                      setPreviews((p) => ({
                        ...p,
                        [f.name]: files
                          .filter((x) => x.type.startsWith('image/'))
                          .map((x) => URL.createObjectURL(x)),
                      }));
                    }}
                  />
                  {previews[f.name]?.length ? (
                    <div className="thumbs">
                      {previews[f.name].map((u) => (
                        <img key={u} src={u} alt="preview" />
                      ))}
                    </div>
                  ) : null}
                </Field>
              );
            default:
              return (
                <Field key={f.name} label={label} error={error}>
                  <input
                    {...common}
                    type={f.type === 'email' ? 'email' : f.type === 'url' ? 'url' : 'text'}
                    value={v as string}
                    maxLength={f.type === 'text' ? f.max : undefined}
                    onChange={(e) => set(f.name, e.target.value)}
                  />
                </Field>
              );
          }
        })}
      </form>
    </Dialog>
  );
}

/** Record ids, with a search over the related collection to pick them. */
function RelationInput(props: {
  field: FieldModel;
  label: string;
  error?: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const { field } = props;
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<RecordModel[]>([]);
  const [searchError, setSearchError] = useState('');
  const [textFields, setTextFields] = useState<string[]>([]);

  // Searched by id and by the related collection's first few text fields.
  useEffect(() => {
    if (!field.collection) return;
    client.collections
      .get(field.collection)
      .then((c) =>
        setTextFields(
          [
            ...(c.type === 'auth' ? ['email'] : []),
            ...c.fields.filter((f) => ['text', 'email'].includes(f.type) && !f.hidden).map((f) => f.name),
          ].slice(0, 4),
        ),
      )
      .catch(() => setTextFields([]));
  }, [field.collection]);

  useEffect(() => {
    if (!field.collection || !query.trim()) {
      setFound([]);
      return;
    }
    const ctl = new AbortController();
    const q = query.trim();
    const t = setTimeout(() => {
      client
        .collection(field.collection!)
        .getList({
          page: 1,
          perPage: 8,
          filter: client.filter(['id = {:q}', ...textFields.map((f) => `${f} ~ {:q}`)].join(' || '), { q }),
          signal: ctl.signal,
          skipTotal: true,
        })
        .then((r) => {
          setFound(r.items as RecordModel[]);
          setSearchError('');
        })
        .catch((err) => !ctl.signal.aborted && setSearchError(describeError(err)));
    }, 200);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [query, field.collection, textFields]);

  const pick = (id: string) => {
    if (multi(field)) {
      const ids = props.value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (!ids.includes(id)) props.onChange([...ids, id].join(', '));
    } else props.onChange(id);
    setQuery('');
  };

  return (
    <Field
      label={props.label}
      error={props.error}
      hint={`Id${multi(field) ? 's (comma separated)' : ''} of ${field.collection ?? 'the related'} record${multi(field) ? 's' : ''}.`}
    >
      <input
        name={field.name}
        className="mono"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {field.collection ? (
        <div className="relation-search">
          <input
            aria-label={`Search ${field.collection}`}
            placeholder={`Search ${field.collection}${textFields.length ? ` by ${textFields.join(', ')} or id` : ' by id'}…`}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          {searchError ? <span className="field-error">{searchError}</span> : null}
          {found.length ? (
            <ul className="picker">
              {found.map((r) => (
                <li key={r.id}>
                  <button type="button" onClick={() => pick(r.id)}>
                    <span className="mono">{r.id}</span>{' '}
                    <span className="muted">
                      {Object.entries(r)
                        .filter(
                          ([k, x]) =>
                            !['id', 'collectionId', 'collectionName', 'created', 'updated'].includes(k) &&
                            typeof x === 'string',
                        )
                        .slice(0, 2)
                        .map(([, x]) => String(x))
                        .join(' · ')}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </Field>
  );
}
