import type { FieldModel } from '@plinth/sdk';

/** What every field input takes: its field, the label to show, the server's problem, its value. */
export interface InputProps<V> {
  field: FieldModel;
  label: string;
  error?: string;
  value: V;
  onChange: (v: V) => void;
}

/** The name and id of a field's main control (tests and labels find it by `#field-<name>`). */
export const controlAttrs = (name: string) => ({ name, id: `field-${name}` });
