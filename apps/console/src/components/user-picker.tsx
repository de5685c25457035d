import { useMemo, useRef, useState } from 'react';
import type { CollectionModel, RecordModel } from '@plinth/sdk';
import { searchFields, useRecordSearch } from './record-search';

export interface PickedUser {
  id: string;
  label: string;
}

/** "Name <email>", or whichever of them the user has, else the id. */
function userLabel(r: RecordModel): string {
  const name = typeof r.name === 'string' ? r.name : typeof r.username === 'string' ? r.username : '';
  const email = typeof r.email === 'string' ? r.email : '';
  if (name && email) return `${name} <${email}>`;
  return name || email || r.id;
}

/** Finds users of an auth collection by email, name or id and collects them (push targets). */
export function UserPicker(props: {
  collections: CollectionModel[];
  picked: PickedUser[];
  onChange: (picked: PickedUser[]) => void;
}) {
  const [chosen, setChosen] = useState('');
  // The collections arrive after the first render: the first one is the default until one is chosen.
  const collection = chosen || (props.collections[0]?.name ?? '');
  const [query, setQuery] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const c = props.collections.find((x) => x.name === collection);
  const fields = useMemo(() => (c ? searchFields(c) : []), [c]);
  const { found, error, answered } = useRecordSearch(c?.name, query, fields);
  const pickedIds = new Set(props.picked.map((u) => u.id));

  const add = (r: RecordModel) => {
    if (!pickedIds.has(r.id)) props.onChange([...props.picked, { id: r.id, label: userLabel(r) }]);
    setQuery('');
    // The result list goes away with the query: keep the keyboard where the next search starts.
    input.current?.focus();
  };
  const remove = (id: string) => props.onChange(props.picked.filter((u) => u.id !== id));

  if (!props.collections.length) {
    return <p className="muted small">No auth collection yet: users sign up in one.</p>;
  }
  const where = fields.length ? fields.join(', ') : 'id';
  return (
    <div className="user-picker">
      <div className="user-picker-search">
        {props.collections.length > 1 ? (
          <select
            aria-label="Users of the collection"
            value={collection}
            onChange={(e) => setChosen(e.target.value)}
          >
            {props.collections.map((x) => (
              <option key={x.name}>{x.name}</option>
            ))}
          </select>
        ) : null}
        <input
          ref={input}
          type="search"
          name="userSearch"
          aria-label={`Find users of ${collection} by ${where}`}
          placeholder={`Find users by ${where}…`}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
      {found.length ? (
        <ul className="picker" aria-label="Matching users" data-testid="user-picker-results">
          {found.map((r) => (
            <li key={r.id}>
              <button type="button" onClick={() => add(r)} disabled={pickedIds.has(r.id)}>
                {userLabel(r)} <span className="muted mono small">{r.id}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : answered && answered === query.trim() ? (
        <p className="muted small" role="status">
          No user of {collection} matches “{answered}”.
        </p>
      ) : null}
      {props.picked.length ? (
        <ul className="chips" aria-label="Chosen users" data-testid="picked-users">
          {props.picked.map((u) => (
            <li key={u.id} className="chip">
              <span>{u.label}</span>
              <button type="button" aria-label={`Remove ${u.label}`} onClick={() => remove(u.id)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
