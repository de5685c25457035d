import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { RecordModel } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import { recordLabel } from '../../components/record-label';

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
  const [found, setFound] = useState<RecordModel[]>([]);
  const [active, setActive] = useState(0);
  const [error, setError] = useState('');
  // Enter before the hits arrived: the first hit is picked when they do.
  const [pickFirst, setPickFirst] = useState(false);

  const pick = (id: string) => {
    props.onPick(id);
    setQuery('');
    setFound([]);
    setPickFirst(false);
  };

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setFound([]);
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      client
        .collection(collection)
        .getList({
          page: 1,
          perPage: 8,
          filter: client.filter(['id = {:q}', ...fields.map((f) => `${f} ~ {:q}`)].join(' || '), { q }),
          signal: ctl.signal,
          skipTotal: true,
        })
        .then((r) => {
          setFound(r.items as RecordModel[]);
          setActive(0);
          setError(r.items.length ? '' : `No record of ${collection} matches.`);
        })
        .catch((err) => !ctl.signal.aborted && setError(describeError(err)));
    }, 200);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [query, collection, fields]);

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
      setFound([]);
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
