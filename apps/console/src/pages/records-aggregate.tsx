import { useState, type FormEvent } from 'react';
import type { AggregateExpression, AggregateResult } from '@plinth/sdk';
import { client, describeError } from '../api/client';
import { Button, Field } from '../components/ui';

/**
 * "Group & aggregate": counts, sums and the like of the records matching the page's filter, grouped
 * by fields (dates by hour, day, week, month or year), computed by the server (GET …/aggregate).
 */
export function AggregatePanel(props: { collection: string; filter: string }) {
  const [groupBy, setGroupBy] = useState('created:day');
  const [fields, setFields] = useState('count()');
  const [having, setHaving] = useState('');
  const [result, setResult] = useState<AggregateResult | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      setResult(
        await client.collection(props.collection).aggregate({
          groupBy: groupBy.trim() || undefined,
          fields: (fields.trim() || 'count()') as AggregateExpression,
          filter: props.filter || undefined,
          having: having.trim() || undefined,
          perPage: 1000,
        }),
      );
    } catch (err) {
      setResult(null);
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const keys = result?.items[0] ? Object.keys(result.items[0]) : [];
  return (
    <div className="card aggregate-panel" data-testid="aggregate-panel">
      <form onSubmit={run} className="aggregate-form">
        <Field
          label="Group by"
          hint="Fields, comma separated; dates may take :hour, :day, :week, :month or :year"
        >
          <input className="mono" value={groupBy} onChange={(e) => setGroupBy(e.target.value)} />
        </Field>
        <Field label="Aggregates" hint="count(), count_distinct(f), sum(f), avg(f), min(f), max(f)">
          <input className="mono" value={fields} onChange={(e) => setFields(e.target.value)} />
        </Field>
        <Field label="Keep groups where" hint="Over the group fields and keys, e.g. count > 5">
          <input className="mono" value={having} onChange={(e) => setHaving(e.target.value)} />
        </Field>
        <Button type="submit" kind="primary" busy={busy}>
          Aggregate
        </Button>
      </form>
      {props.filter ? <p className="muted">Of the records matching the filter above.</p> : null}
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : null}
      {result ? (
        result.items.length === 0 ? (
          <p className="muted">No records to group.</p>
        ) : (
          <table className="table" aria-label="Groups">
            <thead>
              <tr>
                {keys.map((k) => (
                  <th key={k}>{k}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.items.map((item, i) => (
                <tr key={i}>
                  {keys.map((k) => (
                    <td key={k} className="mono">
                      {item[k] === null ? '—' : String(item[k])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {result && result.totalGroups > result.items.length ? (
        <p className="muted">
          The first {result.items.length} of {result.totalGroups} groups.
        </p>
      ) : null}
    </div>
  );
}
