import type { ScheduleModel } from '@plinth/sdk';
import { client } from '../../api/client';
import { EndpointListPage } from '../../components/signed-endpoints';
import { Button, formatDate } from '../../components/ui';
import { RunsDialog } from './runs';
import { ScheduleFormDialog, type NewScheduleInput } from './schedule-form';

/** Schedules: cron ticks that call a signed URL or run a built-in job; their state and run log. */
export function SchedulesPage() {
  return (
    <EndpointListPage<ScheduleModel>
      api={client.schedules}
      noun="schedule"
      title="Schedules"
      subtitle="Cron expressions that call your URL (signed as Standard Webhooks) or run a built-in job; each tick runs once, however many servers and workers you run."
      emptyTitle="No schedules yet"
      emptyText="A schedule calls your code at set times, e.g. a nightly report at 03:00 in your time zone."
      testId="schedules-list"
      logLabel="Runs"
      deleteNote="It fires no more, and its run log goes with it."
      label={(s) => s.name}
      body={(s) => (
        <>
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
        </>
      )}
      leading={(s, page) => (
        <Button
          small
          onClick={() => void page.run(() => client.schedules.run(s.id).then(() => page.openLog(s)))}
        >
          Run now
        </Button>
      )}
      form={(editing, close, page) => (
        <ScheduleFormDialog
          editing={editing}
          onClose={() => void close()}
          onSave={async (input: NewScheduleInput) => {
            if (editing) await client.schedules.update(editing.id, input);
            else {
              const made = await client.schedules.create(input);
              if (input.target.type === 'url') {
                page.showSecret('Schedule created: the signing secret of its calls', made.secret ?? '');
              }
            }
            await close();
          }}
        />
      )}
      log={(s, close) => <RunsDialog schedule={s} onClose={close} />}
    />
  );
}
