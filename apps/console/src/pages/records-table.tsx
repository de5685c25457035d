import type { MouseEvent } from 'react';
import type { CollectionModel, RecordModel } from '@plinth/sdk';
import { Button } from '../components/ui';
import { RecordCell } from './records-cells';

/** A click on a row's plain text opens the record; one on a control, a link or a text selection does not. */
function openOnClick(e: MouseEvent<HTMLTableRowElement>, open: () => void) {
  const target = e.target as HTMLElement;
  if (target.closest('button, a, input, label, select, textarea, .check-col')) return;
  if (window.getSelection()?.toString()) return;
  open();
}

/**
 * One page of records. The actions column stays in view however wide the table scrolls; under 600 px
 * each row becomes a card with its column names (records.css).
 */
export function RecordsTable(props: {
  collection: CollectionModel;
  columns: string[];
  items: RecordModel[];
  sort: string;
  loading: boolean;
  fileToken: string;
  selected: Set<string>;
  onSelect: (next: Set<string>) => void;
  onSort: (column: string) => void;
  onEdit: (r: RecordModel) => void;
  onDelete: (r: RecordModel) => void;
  /** A view collection: no selection, edit or delete. */
  readOnly?: boolean;
}) {
  const { collection, columns, items, sort, selected } = props;
  const fieldOf = (c: string) => collection.fields.find((f) => f.name === c);
  const sortKey = sort.replace(/^-/, '');
  const allSelected = items.length > 0 && items.every((r) => selected.has(r.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    props.onSelect(next);
  };
  return (
    <div className={props.loading ? 'table-wrap records-wrap is-loading' : 'table-wrap records-wrap'}>
      <table className="table records" data-testid="records-table">
        <thead>
          <tr>
            <th className="check-col">
              <input
                hidden={props.readOnly}
                type="checkbox"
                aria-label="Select all on this page"
                checked={allSelected}
                onChange={(e) =>
                  props.onSelect(e.target.checked ? new Set(items.map((r) => r.id)) : new Set())
                }
              />
            </th>
            {columns.map((c) => (
              <th
                key={c}
                aria-sort={sortKey === c ? (sort.startsWith('-') ? 'descending' : 'ascending') : undefined}
              >
                <button type="button" className="sort-btn" onClick={() => props.onSort(c)}>
                  {c}
                  <span className="sort-mark">{sortKey === c ? (sort.startsWith('-') ? '▼' : '▲') : ''}</span>
                </button>
              </th>
            ))}
            <th className="actions-col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr
              key={r.id}
              data-id={r.id}
              onClick={props.readOnly ? undefined : (e) => openOnClick(e, () => props.onEdit(r))}
            >
              <td className="check-col">
                <input
                  hidden={props.readOnly}
                  type="checkbox"
                  aria-label={`Select ${r.id}`}
                  checked={selected.has(r.id)}
                  onChange={(e) => toggle(r.id, e.target.checked)}
                />
              </td>
              {columns.map((c) => {
                const f = fieldOf(c);
                const raw = r[c];
                return (
                  <td
                    key={c}
                    data-label={c}
                    className={c === 'id' ? 'id-cell' : f?.type === 'file' ? 'file-cell' : undefined}
                    title={c !== 'id' && typeof raw === 'string' && raw.length > 30 ? raw : undefined}
                  >
                    <RecordCell record={r} column={c} field={f} fileToken={props.fileToken} />
                  </td>
                );
              })}
              <td className="actions-col">
                {props.readOnly ? null : (
                  <>
                    <Button small onClick={() => props.onEdit(r)}>
                      Edit
                    </Button>
                    <Button small kind="ghost" onClick={() => props.onDelete(r)}>
                      Delete
                    </Button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
