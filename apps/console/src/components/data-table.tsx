import type { ReactNode } from 'react';
import { EmptyState } from './empty-state';
import { Spinner } from './ui';

export { EmptyState };

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Classes of the column's cells (`muted`, `mono small`). */
  className?: string;
  /** Dropped on phones, where the table must fit. */
  hideOnPhone?: boolean;
}

/**
 * A list page's table: a spinner while `rows` is null, `empty` when there are none, else the rows,
 * with an actions column (its header named for screen readers) when `actions` is given.
 */
export function DataTable<T>(props: {
  rows: T[] | null;
  columns: Array<Column<T>>;
  rowKey: (row: T) => string;
  empty: ReactNode;
  actions?: (row: T) => ReactNode;
  testId?: string;
  className?: string;
}) {
  if (!props.rows) return <Spinner />;
  if (!props.rows.length) return <>{props.empty}</>;
  const cls = (c: Column<T>, own?: string) =>
    [own, c.hideOnPhone ? 'hide-phone' : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="table-wrap">
      <table className={props.className ? `table ${props.className}` : 'table'} data-testid={props.testId}>
        <thead>
          <tr>
            {props.columns.map((c, i) => (
              <th key={i} className={cls(c)}>
                {c.header}
              </th>
            ))}
            {props.actions ? (
              <th className="actions-col">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((c, i) => (
                <td key={i} className={cls(c, c.className)}>
                  {c.cell(row)}
                </td>
              ))}
              {props.actions ? <td className="actions-col">{props.actions(row)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
