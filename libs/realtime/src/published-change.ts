import type { RecordChange } from '@plinth/collections';

/**
 * A record change as realtime publishes it to other replicas and delivers it to streams: the action
 * and the record as stored (each stream gets it as its viewer may see it). Never who made the change
 * nor the record before it: those are for webhooks, and streams must not receive them.
 */
export interface PublishedChange {
  action: RecordChange['action'];
  collectionId: string;
  collectionName: string;
  record: Record<string, unknown>;
}

/** The published shape of a change: only what realtime may send on. */
export function published(change: RecordChange): PublishedChange {
  return {
    action: change.action,
    collectionId: change.collectionId,
    collectionName: change.collectionName,
    record: change.record,
  };
}
