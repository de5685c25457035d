import { Button, Field } from '../../components/ui';
import { nextKey, type Errs, type IndexDraft } from './draft';

/** Declared indexes, one row each; the server's problem for an index is shown on its row. */
export function IndexesTab(props: {
  indexes: IndexDraft[];
  errs: Errs;
  onChange: (indexes: IndexDraft[]) => void;
}) {
  const { indexes, errs } = props;
  const set = (i: number, patch: Partial<IndexDraft>) =>
    props.onChange(indexes.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  return (
    <div className="stack">
      <p className="muted">
        Indexes make filters and sorts on these fields fast; a unique index refuses duplicates.
      </p>
      {indexes.map((ix, i) => {
        const rowErrors = Object.entries(errs)
          .filter(([k]) => k === `indexes.${i}` || k.startsWith(`indexes.${i}.`))
          .map(([, v]) => v);
        return (
          <div
            className={rowErrors.length ? 'card row-wrap has-error' : 'card row-wrap'}
            key={ix._key}
            data-index-row={i}
          >
            <Field
              label={`Fields of index ${i + 1} (comma separated)`}
              error={rowErrors.join('; ') || undefined}
            >
              <input
                name={`index-fields-${i}`}
                value={ix.fields}
                onChange={(e) => set(i, { fields: e.target.value })}
                placeholder="status, created"
              />
            </Field>
            <label className="check">
              <input
                type="checkbox"
                checked={ix.unique}
                onChange={(e) => set(i, { unique: e.target.checked })}
              />{' '}
              unique
            </label>
            <Button small kind="ghost" onClick={() => props.onChange(indexes.filter((_, j) => j !== i))}>
              Remove
            </Button>
          </div>
        );
      })}
      <ErrorsWithoutRow errs={errs} count={indexes.length} />
      <div>
        <Button onClick={() => props.onChange([...indexes, { _key: nextKey(), fields: '', unique: false }])}>
          + Add index
        </Button>
      </div>
    </div>
  );
}

/** Problems about the indexes as a whole (`indexes`), not one row. */
function ErrorsWithoutRow({ errs, count }: { errs: Errs; count: number }) {
  const loose = Object.entries(errs).filter(
    ([k]) => k === 'indexes' || (k.startsWith('indexes.') && Number(k.split('.')[1]) >= count),
  );
  return loose.length ? <div className="field-error">{loose.map(([, v]) => v).join('; ')}</div> : null;
}
