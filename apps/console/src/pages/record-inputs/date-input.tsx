import { Field } from '../../components/ui';
import { controlAttrs, type InputProps } from './input-props';

export function DateInput({ field, label, error, value, onChange }: InputProps<string>) {
  return (
    <Field label={label} error={error} hint="Your local time; stored in UTC.">
      <input
        {...controlAttrs(field.name)}
        type="datetime-local"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}
