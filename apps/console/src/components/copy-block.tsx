import { useRef, useState } from 'react';
import './copy-block.css';

/**
 * A command or code example with a Copy button. Where the browser refuses the clipboard (plain http on
 * another host than localhost), the text is selected so Ctrl+C copies it.
 */
export function CopyBlock(props: { label: string; text: string; testId?: string }) {
  const code = useRef<HTMLElement>(null);
  const [status, setStatus] = useState('');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setStatus('Copied.');
    } catch {
      const range = document.createRange();
      if (code.current) range.selectNodeContents(code.current);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
      setStatus('The browser refused the clipboard: the text is selected, press Ctrl+C (⌘C) to copy it.');
    }
  };

  return (
    <figure className="copy-block" data-testid={props.testId}>
      <figcaption className="copy-block-head">
        <span className="copy-block-label">{props.label}</span>
        <button
          type="button"
          className="btn btn-secondary btn-small"
          aria-label={`Copy ${props.label.toLowerCase()}`}
          onClick={() => void copy()}
        >
          Copy
        </button>
      </figcaption>
      <pre className="copy-block-code">
        <code ref={code}>{props.text}</code>
      </pre>
      <p className="muted small copy-block-status" role="status">
        {status}
      </p>
    </figure>
  );
}
