import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

export interface RecordChange {
  action: 'create' | 'update' | 'delete';
  collectionId: string;
  collectionName: string;
  /** The record as stored, with every field (hidden included): subscribers strip per viewer. */
  record: Record<string, unknown>;
}

/**
 * The one internal bus for record changes, emitted after the transaction commits. Realtime and
 * push subscribe here; fan-out to other replicas is theirs to do.
 */
@Injectable()
export class RecordEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emit(change: RecordChange): void {
    this.emitter.emit('change', change);
  }

  subscribe(listener: (change: RecordChange) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
