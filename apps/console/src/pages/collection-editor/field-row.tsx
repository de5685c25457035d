import type { FieldType } from '@plinth/sdk';
import { Button, Field } from '../../components/ui';
import { TYPES, type DraftField, type Errs } from './draft';
import { summarizeField } from './field-summary';
import { OPTIONS_WITH_INPUTS, TypeOptions } from './type-options';
import { labelOfPath } from './wording';

/** One field: name, type and required in a row; its options open below, or summarised when closed. */
export function FieldRow(props: {
  field: DraftField;
  /** The field's place in `fields` (problem paths are `fields.<index>`). */
  index: number;
  /** The first place a field can move to (1 below a text-id collection's id field). */
  first?: number;
  count: number;
  errs: Errs;
  collections: string[];
  onChange: (patch: Partial<DraftField>) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const { field: f, index: i, errs } = props;
  const first = props.first ?? 0;
  // Numbered from 1 among the fields a user edits (the id field is not one of them).
  const n = i - first + 1;
  const p = `fields.${i}`;
  const err = (k: string) => errs[`${p}.${k}`];
  const own = Object.entries(errs).filter(([k]) => k === p || k.startsWith(`${p}.`));
  const rowErrors = own
    .filter(([k]) => k === p || !['name', 'type'].includes(k.slice(p.length + 1)))
    .filter(([k]) => !f._open || k === p)
    .map(([k, v]) => (k === p ? v : `${labelOfPath(k)}: ${v}`));
  const otherErrors = own.filter(
    ([k]) => k.startsWith(`${p}.`) && !OPTIONS_WITH_INPUTS.includes(k.slice(p.length + 1)),
  );
  const renamed = f.id && f._original && f._original !== f.name;
  const label = f.name || `field ${n}`;
  return (
    <div className={own.length ? 'card field-card has-error' : 'card field-card'} data-field-index={i}>
      <div className="field-row">
        <div className="order">
          <button
            type="button"
            className="icon-btn"
            aria-label={`Move ${f.name || 'field'} up`}
            disabled={i === first}
            onClick={() => props.onMove(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="icon-btn"
            aria-label={`Move ${f.name || 'field'} down`}
            disabled={i === props.count - 1}
            onClick={() => props.onMove(1)}
          >
            ↓
          </button>
        </div>
        <Field
          label={`Name of field ${n}`}
          error={err('name')}
          hint={renamed ? `Renamed from ${f._original}; the data stays.` : undefined}
        >
          <input
            name={`field-name-${i}`}
            value={f.name}
            onChange={(e) => props.onChange({ name: e.target.value })}
            placeholder="title"
          />
        </Field>
        <Field label="Type" error={err('type')}>
          <select
            name={`field-type-${i}`}
            value={f.type}
            disabled={!!f.id}
            onChange={(e) => props.onChange({ type: e.target.value as FieldType })}
          >
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </Field>
        <label className="check">
          <input
            type="checkbox"
            name={`field-required-${i}`}
            checked={!!f.required}
            onChange={(e) => props.onChange({ required: e.target.checked })}
          />{' '}
          required
        </label>
        <div className="field-row-actions">
          <Button small kind="ghost" onClick={() => props.onChange({ _open: !f._open })}>
            {f._open ? `Hide options of ${label}` : `Options of ${label}`}
          </Button>
          <Button small kind="ghost" onClick={props.onRemove}>
            Remove
          </Button>
        </div>
      </div>
      {!f._open ? (
        <div className="field-summary muted small" data-testid={`field-summary-${i}`}>
          {summarizeField(f)}
        </div>
      ) : null}
      {rowErrors.length ? <div className="field-error">{rowErrors.join('; ')}</div> : null}
      {f._open ? (
        <div className="options">
          <TypeOptions field={f} err={err} onChange={props.onChange} collections={props.collections} />
          {otherErrors.map(([k, v]) => (
            <span key={k} className="field-error">
              {labelOfPath(k)}: {v}
            </span>
          ))}
        </div>
      ) : null}
    </div>
  );
}
