import { useCallback, useEffect, useState } from 'react';
import type { ScheduleModel, ScheduleRunList } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import { Button, Dialog, ErrorBanner, Spinner, formatDate } from '../../components/ui';

/** The run log of one schedule: each tick or run-now, how it ended, and what the URL answered. */
export function RunsDialog(props: { schedule: ScheduleModel; onClose: () => void }) {
  const id = props.schedule.id;
  const [list, setList] = useState<ScheduleRunList | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');

  const load = useCallback(async () => {
    try {
      setList(await client.schedules.runs(id, { perPage: 50 }));
    } catch (err) {
      setError(describeError(err));
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  const runNow = async () => {
    setError('');
    try {
      await client.schedules.run(id);
      setNote('A run is queued; refresh to see how it ended.');
      await load();
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <Dialog
      open
      wide
      title={`Runs of ${props.schedule.name}`}
      onClose={props.onClose}
      footer={<Button onClick={props.onClose}>Close</Button>}
    >
      <ErrorBanner error={error} />
      <div className="row-wrap">
        <Button small onClick={() => void load()}>
          Refresh
        </Button>
        <Button small onClick={() => void runNow()}>
          Run now
        </Button>
      </div>
      {note ? (
        <p className="muted small" role="status">
          {note}
        </p>
      ) : null}
      {list === null && !error ? <Spinner /> : null}
      {list && !list.items.length ? <p className="muted">This schedule has not run yet.</p> : null}
      {list && list.items.length ? (
        <div className="table-wrap">
          <table className="table" data-testid="runs-table">
            <thead>
              <tr>
                <th>Scheduled for</th>
                <th>Status</th>
                <th className="hide-phone">Duration</th>
                <th>Answer</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((r) => (
                <tr key={r.id}>
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
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Dialog>
  );
}
