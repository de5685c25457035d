import { useState, type FormEvent } from 'react';
import type { ScheduleInput, ScheduleModel, ScheduleTarget } from '@plinth/sdk';
import { describeError, errorsByPath } from '../../api/client';
import { Button, Dialog, ErrorBanner, Field } from '../../components/ui';

export type NewScheduleInput = ScheduleInput & { name: string; cron: string; target: ScheduleTarget };

/** Creates a schedule or edits one: its name, cron and time zone, and what each tick does. */
export function ScheduleFormDialog(props: {
  editing?: ScheduleModel;
  onClose: () => void;
  onSave: (input: NewScheduleInput) => Promise<void>;
}) {
  const s = props.editing;
  const [name, setName] = useState(s?.name ?? '');
  const [cron, setCron] = useState(s?.cron ?? '0 3 * * *');
  const [timezone, setTimezone] = useState(s?.timezone ?? 'UTC');
  const [kind, setKind] = useState<'url' | 'job'>(s?.target.type === 'job' ? 'job' : 'url');
  const [url, setUrl] = useState(s?.target.url ?? '');
  const [job, setJob] = useState<'maintenance.cleanup' | 'backups.create'>(
    s?.target.type === 'job' && String(s.target.job) === 'backups.create'
      ? 'backups.create'
      : 'maintenance.cleanup',
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setErrs({});
    try {
      const target: ScheduleTarget = kind === 'url' ? { type: 'url', url } : { type: 'job', job };
      await props.onSave({ name, cron, timezone, target });
    } catch (err) {
      setError(describeError(err));
      setErrs(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      wide
      title={s ? `Edit schedule ${s.name}` : 'New schedule'}
      onClose={props.onClose}
      footer={
        <>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" type="submit" form="schedule-form" busy={busy} testId="save-schedule">
            {s ? 'Save' : 'Create schedule'}
          </Button>
        </>
      }
    >
      <form id="schedule-form" className="stack" onSubmit={submit}>
        <ErrorBanner error={error} />
        <Field label="Name" hint="Unique, e.g. “nightly report”." error={errs.name}>
          <input name="name" required value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <Field
          label="Cron expression"
          hint="minute hour day-of-month month day-of-week, e.g. 0 3 * * * (every day at 03:00) or */15 * * * * (every 15 minutes). A sixth, leading field is seconds."
          error={errs.cron}
        >
          <input
            className="mono"
            name="cron"
            required
            value={cron}
            onChange={(e) => setCron(e.target.value)}
          />
        </Field>
        <Field
          label="Time zone"
          hint="IANA name, e.g. UTC, Europe/Paris, America/New_York."
          error={errs.timezone}
        >
          <input name="timezone" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
        </Field>
        <fieldset className="field">
          <legend className="field-label">On each tick</legend>
          <label className="check">
            <input type="radio" name="kind" checked={kind === 'url'} onChange={() => setKind('url')} /> Call a
            URL (a signed POST)
          </label>
          <label className="check">
            <input type="radio" name="kind" checked={kind === 'job'} onChange={() => setKind('job')} /> Run a
            built-in job
          </label>
          {errs.target ? <span className="field-error">{errs.target}</span> : null}
        </fieldset>
        {kind === 'url' ? (
          <Field
            label="URL"
            hint="Plinth POSTs a schedule.tick here, signed as Standard Webhooks with this schedule's secret."
            error={errs['target.url']}
          >
            <input
              name="url"
              type="url"
              required
              value={url}
              placeholder="https://example.com/cron/report"
              onChange={(e) => setUrl(e.target.value)}
            />
          </Field>
        ) : (
          <Field
            label="Job"
            hint="A backup keeps as many as the Backups page's retention setting says; the oldest go."
          >
            <select
              name="job"
              value={job}
              onChange={(e) => setJob(e.target.value as 'maintenance.cleanup' | 'backups.create')}
            >
              <option value="maintenance.cleanup">Cleanup (expired tokens, old request logs)</option>
              <option value="backups.create">Backup of the whole install</option>
            </select>
          </Field>
        )}
      </form>
    </Dialog>
  );
}
