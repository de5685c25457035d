import { useEffect, useState } from 'react';
import type { CollectionModel, RecordModel } from '@plinth/sdk';
import { client, describeError } from '../api/client';

/** The fields a search over a collection's records looks in: email of auth collections, then visible text fields. */
export function searchFields(c: Pick<CollectionModel, 'type' | 'fields'>): string[] {
  return [
    ...new Set([
      ...(c.type === 'auth' ? ['email'] : []),
      ...c.fields.filter((f) => ['text', 'email'].includes(f.type) && !f.hidden).map((f) => f.name),
    ]),
  ].slice(0, 4);
}

/**
 * Records of `collection` whose id is the query or whose `fields` contain it, through the records list
 * API (so its rules apply), debounced while the query is typed.
 */
export function useRecordSearch(collection: string | undefined, query: string, fields: string[]) {
  const [found, setFound] = useState<RecordModel[]>([]);
  const [error, setError] = useState('');
  // The query the current `found` answers, so "nothing found" is said only once the server said it.
  const [answered, setAnswered] = useState('');
  useEffect(() => {
    const q = query.trim();
    if (!collection || !q) {
      setFound([]);
      setError('');
      setAnswered('');
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      client
        .collection(collection)
        .getList({
          page: 1,
          perPage: 8,
          filter: client.filter(['id = {:q}', ...fields.map((f) => `${f} ~ {:q}`)].join(' || '), { q }),
          signal: ctl.signal,
          skipTotal: true,
        })
        .then((r) => {
          setFound(r.items as RecordModel[]);
          setError('');
          setAnswered(q);
        })
        .catch((err) => !ctl.signal.aborted && setError(describeError(err)));
    }, 200);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [collection, query, fields]);
  return { found, error, answered };
}
