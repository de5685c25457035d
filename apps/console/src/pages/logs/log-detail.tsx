import type { LogEntry } from '@plinth/sdk';
import { Button, Dialog, formatDate } from '../../components/ui';

/** Every field of one request; values are shown as text (React escapes them), never as HTML. */
export function LogDetail({ entry, onClose }: { entry: LogEntry; onClose: () => void }) {
  const rows: Array<[string, string]> = [
    ['Request id', entry.requestId],
    ['Time', `${formatDate(entry.created)} (${entry.created})`],
    ['Method', entry.method],
    ['URL', entry.url],
    ['Route', entry.route || '(no route matched)'],
    ['Status', String(entry.status)],
    ['Duration', `${entry.duration} ms`],
    ['Size', `${entry.size} bytes`],
    ['Client IP', entry.ip],
    ['User agent', entry.userAgent || '(none)'],
    ['Caller', entry.authId ? `${entry.authKind} ${entry.authId}` : entry.authKind],
  ];
  if (entry.errorCode) rows.push(['Error code', entry.errorCode], ['Error message', entry.errorMessage]);
  return (
    <Dialog
      open
      wide
      title={`Request ${entry.requestId}`}
      onClose={onClose}
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <dl className="log-detail" data-testid="log-detail">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className="mono">{value}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
