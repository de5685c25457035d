import { useState } from 'react';
import { client, describeError } from '../api/client';
import { Button } from '../components/ui';

type Format = 'csv' | 'json' | 'ndjson' | 'xlsx';

/** The file name the server gave (Content-Disposition), or one like it. */
function fileName(res: Response, collection: string, format: Format): string {
  const given = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  return given ?? `${collection}-${new Date().toISOString().slice(0, 10)}.${format}`;
}

/**
 * Export of the records the page shows (its filter and sort, every page) as CSV, JSON, NDJSON or XLSX.
 * A plain link cannot carry the admin token, so the file is fetched and saved from a Blob URL.
 */
export function ExportButton(props: {
  collection: string;
  filter: string;
  sort: string;
  onError: (message: string) => void;
}) {
  const [format, setFormat] = useState<Format>('csv');
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const res = await client.collection(props.collection).export({
        format,
        filter: props.filter || undefined,
        sort: props.sort || undefined,
      });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName(res, props.collection, format);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      props.onError(`The export failed: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="export-control">
      <select aria-label="Export format" value={format} onChange={(e) => setFormat(e.target.value as Format)}>
        <option value="csv">CSV</option>
        <option value="json">JSON</option>
        <option value="ndjson">NDJSON</option>
        <option value="xlsx">Excel (XLSX)</option>
      </select>
      <Button
        onClick={download}
        busy={busy}
        testId="export-records"
        title="Every record matching the filter, in this order"
      >
        Export
      </Button>
    </span>
  );
}
