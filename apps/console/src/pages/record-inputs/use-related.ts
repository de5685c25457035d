import { useEffect, useState } from 'react';
import type { RecordModel } from '@plinth/sdk';
import { client } from '../../api/client';
import { recordLabel } from '../../components/record-label';
import { searchFields } from '../../components/record-search';

/** The text fields of the related collection a search looks in (at most four, email first). */
export function useSearchFields(collection: string | undefined): string[] {
  const [fields, setFields] = useState<string[]>([]);
  useEffect(() => {
    if (!collection) return;
    client.collections
      .get(collection)
      .then((c) => setFields(searchFields(c)))
      .catch(() => setFields([]));
  }, [collection]);
  return fields;
}

/** Each id's related record as a label: a string, '' for a record without text, null when none has the id. */
export function useRecordLabels(collection: string | undefined, ids: string[]): Map<string, string | null> {
  const [labels, setLabels] = useState<Map<string, string | null>>(new Map());
  const key = ids.join(',');
  useEffect(() => {
    const wanted = key ? key.split(',').slice(0, 50) : [];
    if (!collection || !wanted.length) {
      setLabels(new Map());
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      const params = Object.fromEntries(wanted.map((id, i) => [`id${i}`, id]));
      client
        .collection(collection)
        .getList({
          page: 1,
          perPage: wanted.length,
          skipTotal: true,
          filter: client.filter(wanted.map((_, i) => `id = {:id${i}}`).join(' || '), params),
          signal: ctl.signal,
        })
        .then((r) => {
          const found = new Map((r.items as RecordModel[]).map((x) => [x.id, recordLabel(x)]));
          setLabels(new Map(wanted.map((id) => [id, found.get(id) ?? null])));
        })
        // A malformed id makes the filter fail: it names no record.
        .catch(() => !ctl.signal.aborted && setLabels(new Map(wanted.map((id) => [id, null]))));
    }, 150);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [collection, key]);
  return labels;
}
