import { Field } from '../../components/ui';
import { controlAttrs, type InputProps } from './input-props';

/** autodate fields: shown, never sent; the server sets them. */
export function AutodateInput({ field, label, value }: InputProps<string>) {
  const when = [field.onCreate ? 'created' : '', field.onUpdate ? 'updated' : '']
    .filter(Boolean)
    .join(' and ');
  const shown = value ? new Date(value).toLocaleString() : 'set when saved';
  return (
    <Field label={label} hint={`Set by the server when the record is ${when || 'saved'}.`}>
      <input {...controlAttrs(field.name)} value={shown} readOnly />
    </Field>
  );
}
