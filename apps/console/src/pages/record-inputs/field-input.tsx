import type { FieldModel, RecordModel } from '@plinth/sdk';
import { AutodateInput } from './autodate-input';
import { BoolInput } from './bool-input';
import { DateInput } from './date-input';
import { EditorInput } from './editor-input';
import { FileInput } from './file-input';
import { GeoPointInput } from './geo-point-input';
import { JsonInput } from './json-input';
import { NumberInput } from './number-input';
import { RelationInput } from './relation-input';
import { MultiSelectInput, SelectInput } from './select-input';
import { TextInput } from './text-input';
import { multi, storedFiles, type FileChange, type Value } from './values';

/** The input of one field, by its type. */
export function FieldInput(props: {
  field: FieldModel;
  value: Value;
  error?: string;
  record: RecordModel | null;
  fileToken: string;
  onChange: (v: Value) => void;
}) {
  const { field, value, error, onChange } = props;
  const common = { field, error, label: `${field.name}${field.required ? ' *' : ''}` };
  switch (field.type) {
    case 'bool':
      return <BoolInput {...common} value={value as boolean} onChange={onChange} />;
    case 'number':
      return <NumberInput {...common} value={value as string} onChange={onChange} />;
    case 'date':
      return <DateInput {...common} value={value as string} onChange={onChange} />;
    case 'editor':
      return <EditorInput {...common} value={value as string} onChange={onChange} />;
    case 'autodate':
      return <AutodateInput {...common} value={value as string} onChange={onChange} />;
    case 'geoPoint':
      return <GeoPointInput {...common} value={value as string[]} onChange={onChange} />;
    case 'json':
      return <JsonInput {...common} value={value as string} onChange={onChange} />;
    case 'select':
      return multi(field) ? (
        <MultiSelectInput {...common} value={value as string[]} onChange={onChange} />
      ) : (
        <SelectInput {...common} value={value as string} onChange={onChange} />
      );
    case 'relation':
      return <RelationInput {...common} value={value as string} onChange={onChange} />;
    case 'file':
      return (
        <FileInput
          {...common}
          value={value as FileChange}
          onChange={onChange}
          record={props.record}
          stored={storedFiles(props.record, field)}
          token={props.fileToken}
        />
      );
    default:
      return <TextInput {...common} value={value as string} onChange={onChange} />;
  }
}
