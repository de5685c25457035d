import { Field } from '../../components/ui';
import { controlAttrs, type InputProps } from './input-props';

/** text, email and url fields. */
export function TextInput({ field, label, error, value, onChange }: InputProps<string>) {
  return (
    <Field label={label} error={error}>
      <input
        {...controlAttrs(field.name)}
        type={field.type === 'email' ? 'email' : field.type === 'url' ? 'url' : 'text'}
        value={value}
        maxLength={field.type === 'text' ? field.max : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}
