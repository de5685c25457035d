import type { FieldModel } from '@plinth/sdk';
import { Field } from '../../components/ui';
import { list, numberOrUndefined, type DraftField } from './draft';

/** What every options component of a field type receives. */
export interface OptionsProps {
  field: DraftField;
  /** The server's problem for an option of this field, by option name. */
  err: (option: string) => string | undefined;
  onChange: (patch: Partial<DraftField>) => void;
}

export function NumberOption(
  props: OptionsProps & { option: keyof FieldModel; label: string; hint?: string },
) {
  const k = props.option as string;
  return (
    <Field label={props.label} error={props.err(k)} hint={props.hint}>
      <input
        type="number"
        value={(props.field[k] as number | undefined) ?? ''}
        onChange={(e) => props.onChange({ [k]: numberOrUndefined(e.target.value) } as Partial<DraftField>)}
      />
    </Field>
  );
}

export function ListOption(
  props: OptionsProps & { option: 'values' | 'mimeTypes' | 'thumbs'; label: string; placeholder: string },
) {
  const k = props.option;
  return (
    <Field label={props.label} error={props.err(k)}>
      <input
        name={`${k}-${props.field._key}`}
        value={(props.field[k] ?? []).join(', ')}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange({ [k]: list(e.target.value) })}
      />
    </Field>
  );
}

export function CheckOption(props: OptionsProps & { option: keyof FieldModel; label: string }) {
  const k = props.option as string;
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={!!props.field[k]}
        onChange={(e) => props.onChange({ [k]: e.target.checked } as Partial<DraftField>)}
      />{' '}
      {props.label}
    </label>
  );
}
