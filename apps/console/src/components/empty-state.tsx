import type { ReactNode } from 'react';

/** What a list says when it has nothing yet, and the action that fills it. */
export function EmptyState(props: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{props.title}</h3>
      {props.children ? <p>{props.children}</p> : null}
      {props.action}
    </div>
  );
}
