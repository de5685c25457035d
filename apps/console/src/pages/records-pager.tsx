import { Button } from '../components/ui';
import { PER_PAGE } from './records-query';

export function RecordsPager(props: {
  page: number;
  totalPages: number;
  perPage: number;
  onPage: (page: number) => void;
  onPerPage: (perPage: number) => void;
}) {
  const { page, totalPages } = props;
  return (
    <div className="pager">
      <Button small disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
        ← Previous
      </Button>
      <span className="muted" data-testid="page-info">
        Page {page} of {Math.max(1, totalPages)}
      </span>
      <Button small disabled={page >= totalPages} onClick={() => props.onPage(page + 1)}>
        Next →
      </Button>
      <label className="muted small">
        Per page{' '}
        <select value={props.perPage} onChange={(e) => props.onPerPage(Number(e.target.value))}>
          {PER_PAGE.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** Sorting where the table's headers are hidden (the phone's card layout). */
export function PhoneSort(props: { columns: string[]; sort: string; onSort: (sort: string) => void }) {
  return (
    <label className="phone-sort muted small">
      Sort by{' '}
      <select value={props.sort} onChange={(e) => props.onSort(e.target.value)}>
        {props.columns.some((c) => props.sort === c || props.sort === `-${c}`) ? null : (
          <option value={props.sort}>{props.sort}</option>
        )}
        {props.columns.flatMap((c) => [
          <option key={c} value={c}>
            {c} ↑
          </option>,
          <option key={`-${c}`} value={`-${c}`}>
            {c} ↓
          </option>,
        ])}
      </select>
    </label>
  );
}
