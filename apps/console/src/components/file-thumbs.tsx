import type { MouseEvent } from 'react';
import type { CollectionModel, FieldModel, RecordModel } from '@plinth/sdk';
import { client } from '../api/client';

const IMAGE = /\.(png|jpe?g|gif|webp|avif)$/i;
const DEFAULT_THUMB = '100x100';

/** The smallest `WxH` thumbnail the field makes; else a default (the server then sends the original). */
export function thumbSize(field: FieldModel): string {
  const sizes = (field.thumbs ?? [])
    .map((s) => /^(\d+)x(\d+)$/.exec(s))
    .filter((m): m is RegExpExecArray => !!m && Number(m[1]) > 0 && Number(m[2]) > 0)
    .sort((a, b) => Number(a[1]) * Number(a[2]) - Number(b[1]) * Number(b[2]));
  return sizes[0]?.[0] ?? DEFAULT_THUMB;
}

/**
 * Images carry no Authorization header: a file of a protected field, or of a collection whose view rule
 * is not public, is reached with a file token.
 */
export function needsFileToken(collection: CollectionModel): boolean {
  return (
    collection.fields.some((f) => f.type === 'file') &&
    (collection.viewRule !== '' || hasProtected(collection))
  );
}
const hasProtected = (c: CollectionModel) => c.fields.some((f) => f.type === 'file' && f.protected);

/** A file token (120 s) when the collection's files need one, else ''. */
export async function fileTokenFor(collection: CollectionModel): Promise<string> {
  if (!needsFileToken(collection)) return '';
  try {
    return await client.files.getToken();
  } catch {
    // Without a token the images fall back to their names; the page itself still works.
    return '';
  }
}

/** The stored files of one field: thumbnails of images (linking to the file), names of the rest. */
export function FileThumbs(props: {
  record: RecordModel;
  field: FieldModel;
  names: string[];
  token: string;
  /** Show at most this many; the rest is counted. */
  max?: number;
  className?: string;
}) {
  const { record, field, names, token } = props;
  const shown = props.max ? names.slice(0, props.max) : names;
  const url = (name: string, thumb?: string) =>
    client.files.url(record, name, { thumb, token: token || undefined });
  // The page's token may have run out by the time a link is followed: open the file with a fresh one.
  const open = async (e: MouseEvent<HTMLAnchorElement>, name: string) => {
    if (!token || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    const tab = window.open('', '_blank');
    if (!tab) return;
    tab.opener = null;
    const fresh = await client.files.getToken().catch(() => token);
    tab.location.href = client.files.url(record, name, { token: fresh });
  };
  // A file token lives 120 s: images behind one load at once rather than when scrolled to.
  return (
    <span className={props.className ?? 'thumbs'}>
      {shown.map((name) => (
        <a
          key={name}
          href={url(name)}
          target="_blank"
          rel="noreferrer"
          title={name}
          className="file-link"
          onClick={(e) => void open(e, name)}
        >
          {IMAGE.test(name) ? (
            <img alt={name} src={url(name, thumbSize(field))} loading={token ? 'eager' : 'lazy'} />
          ) : (
            name
          )}
        </a>
      ))}
      {names.length > shown.length ? (
        <span className="muted small">+{names.length - shown.length}</span>
      ) : null}
    </span>
  );
}
