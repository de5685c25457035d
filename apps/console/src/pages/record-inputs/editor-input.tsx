import { Field } from '../../components/ui';
import { controlAttrs, type InputProps } from './input-props';

/** editor fields: the HTML itself; the server sanitises it on save. */
export function EditorInput({ field, label, error, value, onChange }: InputProps<string>) {
  return (
    <Field
      label={label}
      error={error}
      hint="HTML. Scripts, styles, frames, event handlers and javascript: links are removed when saved."
    >
      <textarea
        {...controlAttrs(field.name)}
        className="mono"
        rows={6}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}
