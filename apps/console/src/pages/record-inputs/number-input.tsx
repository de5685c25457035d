import { Field } from '../../components/ui';
import { controlAttrs, type InputProps } from './input-props';

export function NumberInput({ field, label, error, value, onChange }: InputProps<string>) {
  return (
    <Field label={label} error={error}>
      <input
        {...controlAttrs(field.name)}
        type="number"
        step={field.onlyInt ? 1 : 'any'}
        min={field.min}
        max={field.max}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}
