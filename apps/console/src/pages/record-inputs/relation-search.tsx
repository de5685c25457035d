import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { recordLabel } from '../../components/record-label';
import { useRecordSearch } from '../../components/record-search';

/**
 * A combobox over the related collection: type to search by id and text fields, arrows move the
 * highlight, Enter picks the highlighted hit (never submits the record form), Escape closes the list.
 */
export function RelationSearch(props: {
  collection: string;
  fields: string[];
  onPick: (id: string) => void;
}) {
  const { collection, fields } = props;
  const listId = useId();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  // Enter before the hits arrived: the first hit is picked when they do.
  const [pickFirst, setPickFirst] = useState(false);

  const pick = (id: string) => {
    props.onPick(id);
    setQuery('');
    setPickFirst(false);
  };

  const search = useRecordSearch(collection, query, fields);
  const found = search.found;
  const error =
    search.error || (search.answered && !found.length ? `No record of ${collection} matches.` : '');
  useEffect(() => setActive(0), [found]);

  useEffect(() => {
    if (pickFirst && found[0]) pick(found[0].id);
  }, [pickFirst, found]);

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (found.length) setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length);
    } else if (e.key === 'Enter') {
      // A search box never submits the record: Enter picks.
      e.preventDefault();
      if (found[active]) pick(found[active].id);
      else if (query.trim()) setPickFirst(true);
    } else if (e.key === 'Escape' && (found.length || query)) {
      // Closes the list, not the dialog.
      e.preventDefault();
      e.stopPropagation();
      setQuery('');
    }
  };

  const optionId = (i: number) => `${listId}-opt-${i}`;
  return (
    <div className="relation-search">
      <input
        role="combobox"
        aria-expanded={found.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={found[active] ? optionId(active) : undefined}
        aria-label={`Search ${collection}`}
        placeholder={`Search ${collection}${fields.length ? ` by ${fields.join(', ')} or id` : ' by id'}…`}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setPickFirst(false);
        }}
        onKeyDown={onKeyDown}
      />
      {error ? <span className="field-hint">{error}</span> : null}
      <div
        className="picker"
        role="listbox"
        id={listId}
        aria-label={`Records of ${collection}`}
        hidden={!found.length}
      >
        {found.map((r, i) => (
          <button
            type="button"
            role="option"
            key={r.id}
            id={optionId(i)}
            aria-selected={i === active}
            className={i === active ? 'is-active' : undefined}
            tabIndex={-1}
            onMouseEnter={() => setActive(i)}
            onClick={() => pick(r.id)}
          >
            <span className="picker-label">{recordLabel(r) || '(no text)'}</span>{' '}
            <span className="mono muted small">{r.id}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
