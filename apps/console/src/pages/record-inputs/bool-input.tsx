import { controlAttrs, type InputProps } from './input-props';

export function BoolInput({ field, error, value, onChange }: InputProps<boolean>) {
  return (
    <label className="check">
      <input
        {...controlAttrs(field.name)}
        type="checkbox"
        checked={value}
        onChange={(e) => onChange(e.target.checked)}
      />{' '}
      {field.name}
      {error ? <span className="field-error">{error}</span> : null}
    </label>
  );
}
