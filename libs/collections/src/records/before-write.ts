import { Injectable } from '@nestjs/common';
import type { CompiledCollection } from '../registry/compiled-collection.js';
import type { RecordActor } from './record-events.js';
import { rowToRecord, type Row } from './record-sql.js';

/** A write about to happen, as blocking hooks are asked about it. */
export interface PendingWrite {
  collection: CompiledCollection;
  action: 'create' | 'update' | 'delete';
  /** The record as it would be stored (column names; no password hash nor token key). */
  row: Row;
  /** On an update or delete: the stored record before it. */
  previous?: Row;
  actor: RecordActor;
}

/** The write as the gate sees it: records as stored (every field, hidden ones too; no secrets). */
export interface JudgedWrite {
  collection: CompiledCollection;
  action: PendingWrite['action'];
  record: Record<string, unknown>;
  previous?: Record<string, unknown>;
  actor: RecordActor;
}

/** What the hooks decided: go on, with these body fields changed (`patch`), or not at all (they throw). */
export interface WriteVerdict {
  patch?: Record<string, unknown>;
}

/** Who judges writes before they commit (blocking hooks): whether any wants this one, from memory. */
export interface WriteGate {
  wants(c: CompiledCollection, action: PendingWrite['action']): boolean;
  /** Throws the refusal (an AppError) or answers the patch to apply. */
  judge(write: JudgedWrite): Promise<WriteVerdict>;
}

/** Empty values as null, as change events carry them (and as the table holds them for filters). */
const AS_STORED = { zeroValues: false } as const;

/**
 * The seam blocking hooks plug into (the webhooks lib, at boot). The writers ask `wants` first: with
 * no gate, or none of its hooks on this collection and action, a write costs one Map lookup more.
 */
@Injectable()
export class BeforeWrite {
  private gate?: WriteGate;

  use(gate: WriteGate): void {
    this.gate = gate;
  }

  wants(c: CompiledCollection, action: PendingWrite['action']): boolean {
    return !!this.gate && this.gate.wants(c, action);
  }

  judge(write: PendingWrite): Promise<WriteVerdict> {
    if (!this.gate) return Promise.resolve({});
    const c = write.collection;
    return this.gate.judge({
      collection: c,
      action: write.action,
      record: rowToRecord(write.row, c, AS_STORED),
      ...(write.previous ? { previous: rowToRecord(write.previous, c, AS_STORED) } : {}),
      actor: write.actor,
    });
  }
}

/** `body` with the hooks' patch applied (a patch on a non-object body replaces nothing). */
export function patched(body: unknown, patch: Record<string, unknown> | undefined): unknown {
  if (!patch || !Object.keys(patch).length) return body;
  const base = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
  return { ...(base as Record<string, unknown>), ...patch };
}
