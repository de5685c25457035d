import { useState, type FormEvent } from 'react';
import type { HookInput, HookModel } from '@plinth/sdk';
import { describeError, errorsByPath } from '../../api/client';
import { useCheckSet } from '../../components/check-set';
import { Button, Dialog, ErrorBanner, Field } from '../../components/ui';

const ACTIONS = ['create', 'update', 'delete'] as const;

/** Creates a hook or edits one: the URL, which writes it judges, a filter, its timeout and failure policy. */
export function HookFormDialog(props: {
  collections: Array<{ name: string; type: string }>;
  editing?: HookModel;
  onClose: () => void;
  onSave: (input: HookInput & { url: string; events: string[] }) => Promise<void>;
}) {
  const h = props.editing;
  const [name, setName] = useState(h?.name ?? '');
  const [url, setUrl] = useState(h?.url ?? '');
  const { values: events, box } = useCheckSet('event', h?.events);
  const [filter, setFilter] = useState(h?.filter ?? '');
  const [timeoutMs, setTimeoutMs] = useState(String(h?.timeoutMs ?? 2000));
  const [failurePolicy, setFailurePolicy] = useState<'deny' | 'allow'>(h?.failurePolicy ?? 'deny');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setErrs({});
    try {
      await props.onSave({
        name,
        url,
        events: [...events],
        filter,
        timeoutMs: Number(timeoutMs),
        failurePolicy,
      });
    } catch (err) {
      setError(describeError(err));
      setErrs(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };
  const eventErrors = Object.entries(errs)
    .filter(([k]) => k.startsWith('events'))
    .map(([, v]) => v)
    .join('; ');

  return (
    <Dialog
      open
      wide
      title={h ? `Edit hook ${h.name || h.url}` : 'New hook'}
      onClose={props.onClose}
      footer={
        <>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" type="submit" form="hook-form" busy={busy} testId="save-hook">
            {h ? 'Save' : 'Create hook'}
          </Button>
        </>
      }
    >
      <form id="hook-form" className="stack" onSubmit={submit}>
        <ErrorBanner error={error} />
        <Field
          label="Endpoint URL"
          hint='Plinth POSTs each write here, signed (Standard Webhooks), and waits for {"allow": true}, {"allow": true, "patch": {...}} or {"allow": false, "message": "..."}.'
          error={errs.url}
        >
          <input
            name="url"
            type="url"
            required
            value={url}
            placeholder="https://example.com/hooks/check-order"
            onChange={(e) => setUrl(e.target.value)}
            autoFocus
          />
        </Field>
        <Field label="Name (optional)" hint="Says what it is for, e.g. “stock check”." error={errs.name}>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <fieldset className="field">
          <legend className="field-label">Writes it judges</legend>
          <div className="scope-grid">
            {props.collections.map((c) => (
              <div key={c.name} className="scope-row">
                <span className="mono">{c.name}</span>
                {ACTIONS.map((a) => box(`${c.name}.${a}`, a))}
                {c.type === 'auth' ? box(`${c.name}.signup`, 'signup') : null}
              </div>
            ))}
          </div>
          {eventErrors ? <span className="field-error">{eventErrors}</span> : null}
        </fieldset>
        <Field
          label="Filter (optional)"
          hint="Only records that match, as they would be stored, in the filter syntax of the records API, e.g. total > 100."
          error={errs.filter}
        >
          <input className="mono" name="filter" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </Field>
        <Field
          label="Timeout (ms)"
          hint="How long a write waits for the answer: 50 to 30000. Every write it judges waits for it."
          error={errs.timeoutMs}
        >
          <input
            name="timeoutMs"
            type="number"
            min={50}
            max={30000}
            required
            value={timeoutMs}
            onChange={(e) => setTimeoutMs(e.target.value)}
          />
        </Field>
        <Field
          label="When it gives no answer"
          hint="A timeout, a network error, a non-2xx status or an answer without allow."
          error={errs.failurePolicy}
        >
          <select
            name="failurePolicy"
            value={failurePolicy}
            onChange={(e) => setFailurePolicy(e.target.value as 'deny' | 'allow')}
          >
            <option value="deny">Refuse the write (safe for checks that must hold)</option>
            <option value="allow">Let the write through</option>
          </select>
        </Field>
      </form>
    </Dialog>
  );
}
