import { useCallback, useEffect, useState } from 'react';
import type { ScheduleModel } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import { ShownOnceDialog } from '../../components/shown-once';
import {
  Button,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  PageHeader,
  Spinner,
  formatDate,
} from '../../components/ui';
import { RunsDialog } from './runs';
import { ScheduleFormDialog, type NewScheduleInput } from './schedule-form';

/** Schedules: cron ticks that call a signed URL or run a built-in job; their state and run log. */
export function SchedulesPage() {
  const [items, setItems] = useState<ScheduleModel[] | null>(null);
  const [error, setError] = useState('');
  const [form, setForm] = useState<{ editing?: ScheduleModel } | null>(null);
  const [secret, setSecret] = useState('');
  const [log, setLog] = useState<ScheduleModel | null>(null);
  const [deleting, setDeleting] = useState<ScheduleModel | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setItems(await client.schedules.list());
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const run = async (work: () => Promise<unknown>) => {
    setError('');
    try {
      await work();
      await load();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const save = async (input: NewScheduleInput) => {
    if (form?.editing) await client.schedules.update(form.editing.id, input);
    else {
      const made = await client.schedules.create(input);
      if (input.target.type === 'url') setSecret(made.secret ?? '');
    }
    setForm(null);
    await load();
  };
  const newButton = (
    <Button kind="primary" onClick={() => setForm({})}>
      New schedule
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Schedules"
        subtitle="Cron expressions that call your URL (signed as Standard Webhooks) or run a built-in job; each tick runs once, however many servers and workers you run."
        actions={newButton}
      />
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {items === null && !error ? <Spinner /> : null}
      {items && !items.length ? (
        <EmptyState title="No schedules yet" action={newButton}>
          A schedule calls your code at set times, e.g. a nightly report at 03:00 in your time zone.
        </EmptyState>
      ) : null}
      {items && items.length ? (
        <ul className="stack card-list" data-testid="schedules-list">
          {items.map((s) => (
            <li key={s.id} className="card">
              <div className="row-wrap">
                <strong>{s.name}</strong>
                <span className={s.enabled ? 'badge' : 'badge badge-danger'}>
                  {s.enabled ? 'enabled' : 'disabled'}
                </span>
                {s.lastRun ? (
                  <span className={s.lastRun.status === 'failed' ? 'field-error small' : 'muted small'}>
                    last run {s.lastRun.status} ({formatDate(s.lastRun.scheduledFor)})
                  </span>
                ) : null}
              </div>
              <div>
                <span className="mono">{s.cron}</span> <span className="muted small">in {s.timezone}</span>
                {s.nextRunAt ? <span className="muted small"> · next {formatDate(s.nextRunAt)}</span> : null}
              </div>
              <div className="mono small">
                {s.target.type === 'url' ? `POST ${s.target.url}` : `job ${s.target.job}`}
              </div>
              <div className="row-wrap">
                <Button small onClick={() => setLog(s)}>
                  Runs
                </Button>
                <Button
                  small
                  onClick={() => void run(() => client.schedules.run(s.id).then(() => setLog(s)))}
                >
                  Run now
                </Button>
                <Button small onClick={() => setForm({ editing: s })}>
                  Edit
                </Button>
                <Button
                  small
                  onClick={() => void run(() => client.schedules.update(s.id, { enabled: !s.enabled }))}
                >
                  {s.enabled ? 'Disable' : 'Enable'}
                </Button>
                <Button small kind="ghost" onClick={() => setDeleting(s)}>
                  Delete
                </Button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {form ? (
        <ScheduleFormDialog editing={form.editing} onClose={() => setForm(null)} onSave={save} />
      ) : null}
      <ShownOnceDialog
        open={!!secret}
        title="Schedule created: the signing secret of its calls"
        secret={secret}
        what="secret"
        onClose={() => setSecret('')}
      />
      {log ? <RunsDialog schedule={log} onClose={() => setLog(null)} /> : null}
      <ConfirmDialog
        open={!!deleting}
        title={`Delete the schedule ${deleting?.name ?? ''}?`}
        confirmLabel="Delete schedule"
        busy={busy}
        onClose={() => setDeleting(null)}
        onConfirm={() => {
          setBusy(true);
          void run(async () => {
            await client.schedules.delete(deleting!.id);
            setDeleting(null);
          }).finally(() => setBusy(false));
        }}
      >
        <p>It fires no more, and its run log goes with it.</p>
      </ConfirmDialog>
    </>
  );
}
