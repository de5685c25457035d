import { useEffect, useMemo } from 'react';
import type { RecordModel } from '@plinth/sdk';
import { FileThumbs } from '../../components/file-thumbs';
import { FieldBox } from './field-box';
import { controlAttrs, type InputProps } from './input-props';
import { multi, type FileChange } from './values';

/**
 * Stored files with a Remove toggle each, and a chooser for new ones. A new file replaces a single
 * file field's stored one; a multi-file field keeps its files and gains the new ones.
 */
export function FileInput(
  props: InputProps<FileChange> & { record: RecordModel | null; stored: string[]; token: string },
) {
  const { field, value, onChange, record, stored } = props;
  const many = multi(field);
  const previews = useMemo(
    () => value.add.filter((x) => x.type.startsWith('image/')).map((x) => URL.createObjectURL(x)),
    [value.add],
  );
  useEffect(() => () => previews.forEach((u) => URL.revokeObjectURL(u)), [previews]);

  const toggle = (name: string) =>
    onChange({
      ...value,
      remove: value.remove.includes(name) ? value.remove.filter((n) => n !== name) : [...value.remove, name],
    });
  const replaced = !many && value.add.length > 0;
  const hint = stored.length
    ? many
      ? 'New files are added to the stored ones.'
      : 'A new file replaces the stored one.'
    : field.mimeTypes?.length
      ? `Allowed: ${field.mimeTypes.join(', ')}`
      : undefined;

  return (
    <FieldBox label={props.label} htmlFor={`field-${field.name}`} error={props.error} hint={hint}>
      {record && stored.length ? (
        <ul className="stored-files" aria-label={`Stored files of ${field.name}`}>
          {stored.map((name) => {
            const removed = value.remove.includes(name) || replaced;
            return (
              <li key={name} className={removed ? 'stored-file is-removed' : 'stored-file'}>
                <FileThumbs record={record} field={field} names={[name]} token={props.token} />
                <span className="mono small stored-name">{name}</span>
                {replaced ? (
                  <span className="muted small">replaced</span>
                ) : (
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    aria-pressed={removed}
                    aria-label={removed ? `Keep ${name}` : `Remove ${name}`}
                    onClick={() => toggle(name)}
                  >
                    {removed ? 'Undo remove' : 'Remove'}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      ) : null}
      <input
        {...controlAttrs(field.name)}
        type="file"
        multiple={many}
        accept={field.mimeTypes?.join(',')}
        onChange={(e) => onChange({ ...value, add: [...(e.target.files ?? [])] })}
      />
      {previews.length ? (
        <div className="thumbs">
          {previews.map((u) => (
            <img key={u} src={u} alt="preview" />
          ))}
        </div>
      ) : null}
    </FieldBox>
  );
}
