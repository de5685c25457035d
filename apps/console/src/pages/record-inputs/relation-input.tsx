import { Notice } from '../../components/ui';
import { shortId } from '../../components/record-label';
import { FieldBox } from './field-box';
import { controlAttrs, type InputProps } from './input-props';
import { RelationSearch } from './relation-search';
import { useRecordLabels, useSearchFields } from './use-related';
import { multi, splitIds } from './values';

/** Record ids with the related records' labels beside them, and a search to pick them. */
export function RelationInput({ field, label, error, value, onChange }: InputProps<string>) {
  const many = multi(field);
  const ids = splitIds(value);
  const fields = useSearchFields(field.collection);
  const labels = useRecordLabels(field.collection, ids);

  const pick = (id: string) => {
    if (!many) onChange(id);
    else if (!ids.includes(id)) onChange([...ids, id].join(', '));
  };
  const drop = (id: string) => onChange(ids.filter((x) => x !== id).join(', '));

  return (
    <FieldBox
      label={label}
      htmlFor={`field-${field.name}`}
      error={error}
      hint={`Id${many ? 's (comma separated)' : ''} of ${field.collection ?? 'the related'} record${many ? 's' : ''}.`}
    >
      <input
        {...controlAttrs(field.name)}
        className="mono"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      {ids.length ? (
        <ul
          className="relation-labels"
          aria-label={`Chosen ${field.collection ?? ''} records`}
          data-testid={`relation-labels-${field.name}`}
        >
          {ids.map((id) => {
            const text = labels.get(id);
            return (
              <li
                key={id}
                className={text === null ? 'relation-label is-missing' : 'relation-label'}
                title={id}
              >
                <span className="relation-label-text">
                  {text === undefined
                    ? '…'
                    : text === null
                      ? `No ${field.collection} record has this id`
                      : text || '(no text)'}
                </span>{' '}
                <span className="mono muted small">{shortId(id)}</span>
                <button
                  type="button"
                  className="icon-btn chip-x"
                  aria-label={`Remove ${text || id}`}
                  onClick={() => drop(id)}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      {field.collection ? (
        <RelationSearch collection={field.collection} fields={fields} onPick={pick} />
      ) : (
        <Notice>This relation names no collection; fix it in the schema.</Notice>
      )}
    </FieldBox>
  );
}
