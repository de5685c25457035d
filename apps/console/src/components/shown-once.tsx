import { useEffect, useState, type ReactNode } from 'react';
import { Button, Dialog } from './ui';

/** A secret shown this once (a new key, a webhook's signing secret), with a copy button. */
export function ShownOnceDialog(props: {
  open: boolean;
  title: string;
  secret: string;
  what: string;
  onClose: () => void;
  /** More to say under the secret (what it grants). */
  children?: ReactNode;
  testId?: string;
}) {
  const [copied, setCopied] = useState('');
  useEffect(() => setCopied(''), [props.secret]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied(`The browser refused the clipboard: select the ${props.what} and copy it by hand.`);
    }
  };
  return (
    <Dialog
      open={props.open}
      title={props.title}
      onClose={props.onClose}
      footer={
        <Button kind="primary" onClick={props.onClose}>
          I have stored it
        </Button>
      }
    >
      <p>
        Copy the {props.what} now: <strong>it is shown only this once</strong>.
      </p>
      <div className="secret-box">
        <code data-testid={props.testId ?? 'shown-once'}>{props.secret}</code>
        <Button small onClick={() => void copy()}>
          Copy
        </Button>
      </div>
      {copied ? <p className="muted small">{copied}</p> : null}
      {props.children}
    </Dialog>
  );
}
