import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@plinth/core';

/** Who made a change, as webhooks tell it (`data.auth`): never a token nor a key's secret. */
export interface RecordActor {
  kind: 'admin' | 'user' | 'key' | 'anonymous';
  id?: string;
  /** The auth collection of a user. */
  collection?: string;
}

/** The actor of a change made by `principal`. */
export function actorOf(principal: Principal): RecordActor {
  switch (principal.kind) {
    case 'anonymous':
      return { kind: 'anonymous' };
    case 'user':
      return { kind: 'user', id: principal.id, collection: principal.collectionName };
    default:
      return { kind: principal.kind, id: principal.id };
  }
}

export interface RecordChange {
  action: 'create' | 'update' | 'delete';
  collectionId: string;
  collectionName: string;
  /** The record as stored, with every field (hidden included): subscribers strip per viewer. */
  record: Record<string, unknown>;
  /** On an update: the record before it, as stored (as `record`). */
  previous?: Record<string, unknown>;
  /** Who made the change. */
  actor?: RecordActor;
}

type Listener = (change: RecordChange) => void;

/**
 * The one internal bus for record changes, emitted after the transaction commits. Realtime and
 * push subscribe here; fan-out to other replicas is theirs to do.
 */
@Injectable()
export class RecordEvents {
  private readonly logger = new Logger('RecordEvents');
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  /**
   * Calls every subscriber. The change is already committed, so a subscriber that throws must not
   * turn the write's answer into an error nor keep the change from the subscribers after it.
   */
  emit(change: RecordChange): void {
    for (const listener of this.emitter.listeners('change') as Listener[]) {
      try {
        listener(change);
      } catch (err) {
        this.logger.error(
          `A subscriber to record changes failed on ${change.action} ${change.collectionName}/${String(change.record.id)}: ${(err as Error)?.message ?? String(err)}`,
        );
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
