import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useDialogFocus } from './dialog-focus';

export { EmptyState } from './empty-state';

export function Button(props: {
  children: ReactNode;
  onClick?: () => void;
  kind?: 'primary' | 'secondary' | 'danger' | 'ghost';
  type?: 'button' | 'submit';
  disabled?: boolean;
  busy?: boolean;
  title?: string;
  /** The accessible name when the text alone is ambiguous (a "Delete" on every row). */
  label?: string;
  small?: boolean;
  testId?: string;
  /** The id of the form a submit button outside it submits (dialog footers). */
  form?: string;
}) {
  const cls = ['btn', `btn-${props.kind ?? 'secondary'}`, props.small ? 'btn-small' : ''].join(' ');
  return (
    <button
      type={props.type ?? 'button'}
      form={props.form}
      className={cls}
      onClick={props.onClick}
      disabled={props.disabled || props.busy}
      title={props.title}
      aria-label={props.label}
      aria-busy={props.busy || undefined}
      data-testid={props.testId}
    >
      {props.busy ? <span className="spinner" aria-hidden="true" /> : null}
      {props.children}
    </button>
  );
}

/** A labelled control with its hint and the server's problem for it. */
export function Field(props: {
  label: string;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
  inline?: boolean;
}) {
  return (
    <label className={props.inline ? 'field field-inline' : 'field'}>
      <span className="field-label">{props.label}</span>
      {props.children}
      {props.hint ? <span className="field-hint">{props.hint}</span> : null}
      {props.error ? (
        <span className="field-error" role="alert">
          {props.error}
        </span>
      ) : null}
    </label>
  );
}

export function ErrorBanner({ error, onDismiss }: { error?: string; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      <span>{error}</span>
      {onDismiss ? (
        <button type="button" className="banner-close" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return <div className="banner banner-info">{children}</div>;
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

/** A modal on the native <dialog> with a title and a footer (focus handling in `useDialogFocus`). */
export function Dialog(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const onKeyDown = useDialogFocus(ref, props.open);
  return (
    <dialog
      ref={ref}
      className={props.wide ? 'dialog dialog-wide' : 'dialog'}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      // Chromium closes a dialog itself on a repeated Escape without a user gesture between.
      onClose={() => props.open && props.onClose()}
      onKeyDown={onKeyDown}
      aria-label={props.title}
    >
      {props.open ? (
        <>
          <header className="dialog-head">
            <h2>{props.title}</h2>
            <button type="button" className="icon-btn" onClick={props.onClose} aria-label="Close">
              ×
            </button>
          </header>
          <div className="dialog-body">{props.children}</div>
          {props.footer ? <footer className="dialog-foot">{props.footer}</footer> : null}
        </>
      ) : null}
    </dialog>
  );
}

/** Asks before something is lost; `confirmText` must be typed when given. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  confirmText?: string;
  busy?: boolean;
  error?: string;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  useEffect(() => setTyped(''), [props.open]);
  const ok = !props.confirmText || typed === props.confirmText;
  return (
    <Dialog
      open={props.open}
      title={props.title}
      onClose={props.onClose}
      footer={
        <>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="danger" onClick={props.onConfirm} disabled={!ok} busy={props.busy}>
            {props.confirmLabel}
          </Button>
        </>
      }
    >
      <div className="confirm-text">{props.children}</div>
      {props.confirmText ? (
        <Field label={`Type ${props.confirmText} to confirm`}>
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus name="confirm" />
        </Field>
      ) : null}
      <ErrorBanner error={props.error} />
    </Dialog>
  );
}

export function PageHeader(props: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle ? <p className="muted">{props.subtitle}</p> : null}
      </div>
      {props.actions ? <div className="page-actions">{props.actions}</div> : null}
    </div>
  );
}

export function formatDate(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
