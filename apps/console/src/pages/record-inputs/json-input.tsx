import { Field } from '../../components/ui';
import { controlAttrs, type InputProps } from './input-props';

export function JsonInput({ field, label, error, value, onChange }: InputProps<string>) {
  return (
    <Field label={label} error={error} hint="Any JSON value.">
      <textarea
        {...controlAttrs(field.name)}
        className="mono"
        rows={4}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}
