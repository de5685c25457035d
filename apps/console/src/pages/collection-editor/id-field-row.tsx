import { Field } from '../../components/ui';
import type { DraftField, Errs } from './draft';
import { NumberOption } from './option-inputs';
import { labelOfPath } from './wording';

/**
 * The record id of a collection with PocketBase's text ids (docs/decisions/text-ids.md): always first,
 * named `id`, of type text; only its length, pattern and autogenerate pattern change (as PocketBase allows).
 */
export function IdFieldRow(props: {
  field: DraftField;
  index: number;
  errs: Errs;
  onChange: (patch: Partial<DraftField>) => void;
}) {
  const { field: f, errs } = props;
  const p = `fields.${props.index}`;
  const err = (k: string) => errs[`${p}.${k}`];
  const own = Object.entries(errs).filter(([k]) => k === p || k.startsWith(`${p}.`));
  const shown = ['min', 'max', 'pattern', 'autogeneratePattern'].map((k) => `${p}.${k}`);
  const other = own.filter(([k]) => !shown.includes(k));
  const options = { field: f, err, onChange: props.onChange };
  return (
    <div
      className={own.length ? 'card field-card has-error' : 'card field-card'}
      data-field-index={props.index}
      data-testid="id-field"
    >
      <div className="field-row">
        <strong>id</strong>
        <span className="muted small">
          Record id (text, PocketBase style). It cannot be renamed, removed or change type; new records get
          one from the autogenerate pattern unless the client sends its own.
        </span>
      </div>
      <div className="options">
        <NumberOption {...options} option="min" label="Min length" hint="0 = no minimum" />
        <NumberOption {...options} option="max" label="Max length" hint="0 = no maximum" />
        <Field label="Pattern (regular expression)" error={err('pattern')} hint="Empty: any id">
          <input
            name="id-pattern"
            className="mono"
            value={(f.pattern as string | undefined) ?? ''}
            onChange={(e) => props.onChange({ pattern: e.target.value })}
          />
        </Field>
        <Field
          label="Autogenerate pattern"
          error={err('autogeneratePattern')}
          hint="Empty: clients must send an id"
        >
          <input
            name="id-autogenerate-pattern"
            className="mono"
            value={(f.autogeneratePattern as string | undefined) ?? ''}
            onChange={(e) => props.onChange({ autogeneratePattern: e.target.value })}
          />
        </Field>
        {other.map(([k, v]) => (
          <span key={k} className="field-error">
            {k === p ? v : `${labelOfPath(k)}: ${v}`}
          </span>
        ))}
      </div>
    </div>
  );
}

/** Whether a field is the record id of a text-id collection (the server answers it first). */
export const isIdField = (f: { name: string; primaryKey?: unknown }) =>
  f.primaryKey === true && f.name === 'id';
