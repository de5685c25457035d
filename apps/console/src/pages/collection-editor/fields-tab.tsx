import { Button, ErrorBanner } from '../../components/ui';
import type { DraftField, Errs } from './draft';
import { FieldRow } from './field-row';
import { IdFieldRow, isIdField } from './id-field-row';

/** The fields in order, with add, move and remove. */
export function FieldsTab(props: {
  fields: DraftField[];
  errs: Errs;
  collections: string[];
  onChange: (fields: DraftField[], reorder?: boolean) => void;
  onAdd: () => void;
}) {
  const { fields } = props;
  // A text-id collection's id field stays first: nothing moves above it.
  const first = fields[0] && isIdField(fields[0]) ? 1 : 0;
  const move = (i: number, by: number) => {
    const next = [...fields];
    const [f] = next.splice(i, 1);
    next.splice(i + by, 0, f);
    props.onChange(next, true);
  };
  return (
    <div className="stack">
      {fields.length === first ? (
        <p className="muted">
          No fields yet. Every record has <code>id</code>, <code>created</code> and <code>updated</code>; add
          the fields your app needs.
        </p>
      ) : null}
      <ErrorBanner error={props.errs.fields} />
      {fields.map((f, i) =>
        isIdField(f) ? (
          <IdFieldRow
            key={f._key}
            field={f}
            index={i}
            errs={props.errs}
            onChange={(patch) => props.onChange(fields.map((x, j) => (j === i ? { ...x, ...patch } : x)))}
          />
        ) : (
          <FieldRow
            key={f._key}
            field={f}
            index={i}
            first={first}
            count={fields.length}
            errs={props.errs}
            collections={props.collections}
            onChange={(patch) => props.onChange(fields.map((x, j) => (j === i ? { ...x, ...patch } : x)))}
            onMove={(by) => move(i, by)}
            onRemove={() =>
              props.onChange(
                fields.filter((_, j) => j !== i),
                true,
              )
            }
          />
        ),
      )}
      <div>
        <Button onClick={props.onAdd} testId="add-field">
          + Add field
        </Button>
      </div>
    </div>
  );
}
