import { Field } from '../../components/ui';
import { controlAttrs, type InputProps } from './input-props';

/** A single select as a drop-down. */
export function SelectInput({ field, label, error, value, onChange }: InputProps<string>) {
  return (
    <Field label={label} error={error}>
      <select {...controlAttrs(field.name)} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {(field.values ?? []).map((opt) => (
          <option key={opt}>{opt}</option>
        ))}
      </select>
    </Field>
  );
}

/** A multi select as one checkbox per value. */
export function MultiSelectInput({ field, label, error, value, onChange }: InputProps<string[]>) {
  return (
    <fieldset className="field">
      <legend className="field-label">{label}</legend>
      <div className="row-wrap">
        {(field.values ?? []).map((opt, i) => (
          <label className="check" key={opt}>
            <input
              type="checkbox"
              name={field.name}
              id={i === 0 ? `field-${field.name}` : undefined}
              checked={value.includes(opt)}
              onChange={(e) => onChange(e.target.checked ? [...value, opt] : value.filter((x) => x !== opt))}
            />{' '}
            {opt}
          </label>
        ))}
      </div>
      {error ? <span className="field-error">{error}</span> : null}
    </fieldset>
  );
}
