import { useCallback } from 'react';
import type { ScheduleModel } from '@plinth/sdk';
import { client } from '../../api/client';
import { EndpointLogDialog } from '../../components/signed-endpoints';
import { Button, formatDate } from '../../components/ui';

/** The run log of one schedule: each tick or run-now, how it ended, and what the URL answered. */
export function RunsDialog(props: { schedule: ScheduleModel; onClose: () => void }) {
  const id = props.schedule.id;
  const load = useCallback(() => client.schedules.runs(id, { perPage: 50 }), [id]);

  return (
    <EndpointLogDialog
      title={`Runs of ${props.schedule.name}`}
      load={load}
      emptyText="This schedule has not run yet."
      testId="runs-table"
      onClose={props.onClose}
      actions={(_, log) => (
        <Button
          small
          onClick={() =>
            void log.act(
              async () => (await client.schedules.run(id), 'A run is queued; refresh to see how it ended.'),
            )
          }
        >
          Run now
        </Button>
      )}
      head={
        <>
          <th>Scheduled for</th>
          <th>Status</th>
          <th className="hide-phone">Duration</th>
          <th>Answer</th>
        </>
      }
      row={(r) => (
        <>
          <td>
            {formatDate(r.scheduledFor)}
            {r.trigger === 'manual' ? <span className="muted small"> (run now)</span> : null}
          </td>
          <td>
            <span className={r.status === 'failed' ? 'badge badge-danger' : 'badge'}>{r.status}</span>
          </td>
          <td className="muted hide-phone">{r.durationMs === null ? '' : `${r.durationMs} ms`}</td>
          <td className="muted small">
            {r.error ?? (r.httpStatus ? `HTTP ${r.httpStatus}` : '')}
            {r.response ? <div className="mono">{r.response.slice(0, 200)}</div> : null}
          </td>
        </>
      )}
    />
  );
}
