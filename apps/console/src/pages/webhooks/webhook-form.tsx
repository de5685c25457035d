import { useState, type FormEvent } from 'react';
import type { WebhookInput, WebhookModel } from '@plinth/sdk';
import { describeError, errorsByPath } from '../../api/client';
import { useCheckSet } from '../../components/check-set';
import { Button, Dialog, ErrorBanner, Field } from '../../components/ui';

const ACTIONS = ['create', 'update', 'delete'] as const;
/** Account events of auth collections, as the server names them. */
const ACCOUNT_EVENTS = ['signup', 'signin', 'password-reset', 'verified', 'email-changed'] as const;
const PUSH_EVENTS = [
  ['push.delivery.failed', 'a delivery failed for good'],
  ['push.message.completed', 'a message completed'],
] as const;

/** Creates a webhook or edits one: the URL, which events (records, accounts, push), an optional filter. */
export function WebhookFormDialog(props: {
  collections: Array<{ name: string; type: string }>;
  editing?: WebhookModel;
  onClose: () => void;
  onSave: (input: WebhookInput & { url: string; events: string[] }) => Promise<void>;
}) {
  const w = props.editing;
  const [name, setName] = useState(w?.name ?? '');
  const [url, setUrl] = useState(w?.url ?? '');
  const { values: events, box } = useCheckSet('event', w?.events);
  const [filter, setFilter] = useState(w?.filter ?? '');
  const [includeHidden, setIncludeHidden] = useState(w?.includeHidden ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setErrs({});
    try {
      await props.onSave({ name, url, events: [...events], filter, includeHidden });
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
      title={w ? `Edit webhook ${w.name || w.url}` : 'New webhook'}
      onClose={props.onClose}
      footer={
        <>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" type="submit" form="webhook-form" busy={busy} testId="save-webhook">
            {w ? 'Save' : 'Create webhook'}
          </Button>
        </>
      }
    >
      <form id="webhook-form" className="stack" onSubmit={submit}>
        <ErrorBanner error={error} />
        <Field
          label="Endpoint URL"
          hint="Plinth POSTs each event here, signed (Standard Webhooks)."
          error={errs.url}
        >
          <input
            name="url"
            type="url"
            required
            value={url}
            placeholder="https://example.com/hooks/plinth"
            onChange={(e) => setUrl(e.target.value)}
            autoFocus
          />
        </Field>
        <Field label="Name (optional)" hint="Says what it is for, e.g. “CRM sync”." error={errs.name}>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <fieldset className="field">
          <legend className="field-label">Events</legend>
          <div className="row-wrap">{box('*', 'Every event: records, accounts and push')}</div>
          <div className="scope-grid">
            {props.collections.map((c) => (
              <div key={c.name} className="scope-row">
                <span className="mono">{c.name}</span>
                {ACTIONS.map((a) => box(`${c.name}.${a}`, a))}
              </div>
            ))}
            {props.collections
              .filter((c) => c.type === 'auth')
              .map((c) => (
                <div key={`${c.name}-accounts`} className="scope-row account-events">
                  <span className="mono">{c.name} accounts</span>
                  {ACCOUNT_EVENTS.map((a) => box(`${c.name}.${a}`, a))}
                </div>
              ))}
            <div className="scope-row account-events">
              <span className="mono">push</span>
              {PUSH_EVENTS.map(([event, label]) => box(event, label))}
            </div>
          </div>
          {eventErrors ? <span className="field-error">{eventErrors}</span> : null}
        </fieldset>
        <Field
          label="Filter (optional)"
          hint='Only records (and accounts) that match, in the filter syntax of the records API, e.g. status = "paid" && total > 100. Push events ignore it.'
          error={errs.filter}
        >
          <input className="mono" name="filter" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={includeHidden}
            onChange={(e) => setIncludeHidden(e.target.checked)}
          />{' '}
          Send hidden fields too
        </label>
      </form>
    </Dialog>
  );
}
