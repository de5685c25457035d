import { useEffect, useState } from 'react';
import { shortId } from './record-label';

/** A record id, shortened on screen, copied whole to the clipboard on click. */
export function CopyId({ id }: { id: string }) {
  const [said, setSaid] = useState('');
  useEffect(() => {
    if (!said) return;
    const t = setTimeout(() => setSaid(''), 2000);
    return () => clearTimeout(t);
  }, [said]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(id);
      setSaid('Copied');
    } catch {
      setSaid('Copy refused: select the id in the record and copy it by hand');
    }
  };
  return (
    <span className="copy-id">
      <button
        type="button"
        className="copy-id-btn mono"
        title={`${id} (click to copy)`}
        aria-label={`${shortId(id)}: copy the id ${id}`}
        data-id={id}
        onClick={() => void copy()}
      >
        {shortId(id)}
        <svg className="copy-id-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
          <rect x="5" y="5" width="9" height="9" rx="1.5" />
          <path d="M3 11V3.5A1.5 1.5 0 0 1 4.5 2H11" />
        </svg>
      </button>
      <span className="copy-id-said small" role="status">
        {said}
      </span>
    </span>
  );
}
