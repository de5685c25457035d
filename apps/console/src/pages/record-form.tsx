import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { CollectionModel, RecordModel } from '@plinth/sdk';
import { client, describeError, errorsByPath } from '../api/client';
import { fileTokenFor } from '../components/file-thumbs';
import { Button, ConfirmDialog, Dialog, ErrorBanner } from '../components/ui';
import { AuthFields, authBody, initialAuth, type AuthValues } from './record-inputs/auth-fields';
import { FieldInput } from './record-inputs/field-input';
import { fingerprint, initial, outgoing, type Value } from './record-inputs/values';
import { isIdField } from './collection-editor/id-field-row';

const SAVE_KEYS = /Mac|iPhone|iPad/.test(navigator.userAgent) ? '⌘S' : 'Ctrl+S';

const snapshot = (values: Record<string, Value>, auth: AuthValues | null) =>
  JSON.stringify([Object.entries(values).map(([k, v]) => [k, fingerprint(v)]), auth]);

/**
 * Create or edit a record; the inputs follow the collection's fields. The first field has the focus,
 * Ctrl/Cmd+S saves, and closing with unsaved changes asks first.
 */
export function RecordForm(props: {
  collection: CollectionModel;
  record: RecordModel | null;
  onClose: () => void;
  onSaved: (r: RecordModel) => void;
}) {
  const { collection, record } = props;
  const isAuth = collection.type === 'auth';
  // A text-id collection's id: chosen (or left empty to be generated) on create, fixed afterwards.
  const fields = collection.fields.filter((f) => !(record && isIdField(f)));
  const start = useMemo(
    () => ({
      values: Object.fromEntries(collection.fields.map((f) => [f.name, initial(f, record)])),
      auth: isAuth ? initialAuth(record) : null,
    }),
    [collection, record, isAuth],
  );
  const [values, setValues] = useState<Record<string, Value>>(start.values);
  const [authValues, setAuthValues] = useState<AuthValues>(start.auth ?? initialAuth(null));
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const [fileToken, setFileToken] = useState('');
  const formRef = useRef<HTMLFormElement>(null);

  const dirty = snapshot(values, isAuth ? authValues : null) !== snapshot(start.values, start.auth);

  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
    if (record) void fileTokenFor(collection).then(setFileToken);
  }, [collection, record]);

  useEffect(() => {
    if (asking) return;
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
        // The browser would save the page; here it saves the record.
        e.preventDefault();
        formRef.current?.requestSubmit();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [asking]);

  const close = () => {
    if (dirty && !busy) setAsking(true);
    else props.onClose();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, unknown> = isAuth ? authBody(authValues, record) : {};
    const local: Record<string, string> = {};
    for (const f of fields) {
      if (isIdField(f) && values[f.name] === '') continue;
      const out = outgoing(f, values[f.name], !!record);
      if (out.error) local[f.name] = out.error;
      else Object.assign(body, out.body);
    }
    setErrs(local);
    if (Object.keys(local).length) {
      setError('Some fields need a fix before saving.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const records = client.collection(collection.name);
      const saved = record ? await records.update(record.id, body) : await records.create(body);
      props.onSaved(saved as RecordModel);
    } catch (err) {
      setError(describeError(err));
      setErrs(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Dialog
        open
        wide
        title={record ? `Edit record ${record.id}` : `New record in ${collection.name}`}
        onClose={close}
        footer={
          <>
            <span className="muted small kbd-hint hide-phone">{SAVE_KEYS} saves</span>
            <Button onClick={close}>Cancel</Button>
            <Button kind="primary" type="submit" form="record-form" busy={busy} testId="save-record">
              {record ? 'Save' : 'Create'}
            </Button>
          </>
        }
      >
        <form id="record-form" ref={formRef} onSubmit={submit} className="stack" noValidate>
          <ErrorBanner error={error} />
          {isAuth ? (
            <AuthFields
              collection={collection.name}
              record={record}
              value={authValues}
              errors={errs}
              onChange={setAuthValues}
            />
          ) : null}
          {fields.length === 0 ? (
            <p className="muted">This collection has no fields yet; add some in its schema.</p>
          ) : null}
          {fields.map((f) => (
            <FieldInput
              key={f.name}
              field={f}
              value={values[f.name]}
              error={errs[f.name]}
              record={record}
              fileToken={fileToken}
              onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))}
            />
          ))}
        </form>
      </Dialog>
      <ConfirmDialog
        open={asking}
        title="Discard the unsaved changes?"
        confirmLabel="Discard changes"
        onClose={() => setAsking(false)}
        onConfirm={() => {
          setAsking(false);
          props.onClose();
        }}
      >
        <p>
          The changes to this record are not saved. Discard them, or cancel to go back and save them (
          {SAVE_KEYS}).
        </p>
      </ConfirmDialog>
    </>
  );
}
