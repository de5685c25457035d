import type { ReactNode } from 'react';

/**
 * A field with several controls (ids and a search, stored files and a chooser): the label names only
 * the main control, so the buttons beside it keep their own names.
 */
export function FieldBox(props: {
  label: string;
  htmlFor: string;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={props.htmlFor}>
        {props.label}
      </label>
      {props.children}
      {props.hint ? <span className="field-hint">{props.hint}</span> : null}
      {props.error ? (
        <span className="field-error" role="alert">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}
