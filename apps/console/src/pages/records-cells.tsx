import type { FieldModel, RecordModel } from '@plinth/sdk';
import { CopyId } from '../components/copy-id';
import { FileThumbs } from '../components/file-thumbs';
import { recordLabel } from '../components/record-label';
import { formatDate } from '../components/ui';
import { YesNo } from '../components/yes-no';

function cellText(f: FieldModel | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (f?.type === 'date' || (!f && typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)))
    return formatDate(value);
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** An expanded relation as a person reads it: each related record's label and the end of its id. */
function relationText(value: unknown): string {
  const one = (x: unknown) => {
    if (!x || typeof x !== 'object') return '';
    const r = x as RecordModel;
    const label = recordLabel(r);
    return label ? `${label} (…${r.id.slice(-6)})` : r.id;
  };
  return Array.isArray(value) ? value.map(one).join(', ') : one(value);
}

/** What one cell of the records table shows for column `column`. */
export function RecordCell(props: {
  record: RecordModel;
  column: string;
  field: FieldModel | undefined;
  fileToken: string;
}) {
  const { record: r, column: c, field: f } = props;
  if (c === 'id') return <CopyId id={r.id} />;
  if (f?.type === 'file') {
    const v = r[c];
    const names = Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : [];
    return names.length ? (
      <FileThumbs
        record={r}
        field={f}
        names={names}
        token={props.fileToken}
        max={3}
        className="cell-thumbs"
      />
    ) : null;
  }
  if (r.expand?.[c]) return <>{relationText(r.expand[c])}</>;
  // Bool fields and the auth flags (verified, emailVisibility) read the same everywhere.
  if (f?.type === 'bool' || typeof r[c] === 'boolean') return <YesNo value={r[c]} />;
  return <>{cellText(f, r[c])}</>;
}
