import { Logger } from '@nestjs/common';
import type { Principal } from '@plinth/core';
import type { RecordsService } from '@plinth/collections';
import type { Counter } from 'prom-client';
import type { LocalClient } from './local-client.js';
import type { PublishedChange } from './published-change.js';
import type { RealtimeAuth } from './realtime-auth.js';
import type { Topic } from './topics.js';

/** Rule checks of one change that run at the same time (each is one query). */
const CHECK_CONCURRENCY = 4;
/** Changes waiting for delivery on this replica before the oldest are dropped. */
const MAX_QUEUE = 10_000;

interface Group {
  principal: Principal;
  topic: Topic;
  members: Array<[LocalClient, string]>;
}

/**
 * Delivers the changes this replica hears to its own streams, in order: credentials checked again,
 * then one rule check per group of subscribers with the same account and topic options.
 */
export class ChangeDeliveries {
  private readonly logger = new Logger('Realtime');
  private readonly queue: PublishedChange[] = [];
  private delivering = false;

  constructor(
    private readonly records: RecordsService,
    private readonly auth: RealtimeAuth,
    private readonly counters: { sent: Counter; dropped: Counter<'reason'> },
    private readonly streams: {
      /** The streams that subscribe to the change's collection. */
      candidates(change: PublishedChange): Set<LocalClient>;
      /** Ends a stream whose credential no longer holds. */
      revoke(client: LocalClient): void;
    },
  ) {}

  enqueue(changes: PublishedChange[]): void {
    for (const change of changes) {
      if (this.queue.length >= MAX_QUEUE) {
        this.queue.shift();
        this.counters.dropped.inc({ reason: 'overload' });
      }
      this.queue.push(change);
    }
    if (!this.delivering) void this.drain();
  }

  /** One change at a time, so each client sees changes in the order they were published. */
  private async drain(): Promise<void> {
    this.delivering = true;
    try {
      while (this.queue.length) {
        const change = this.queue.shift()!;
        await this.deliver(change).catch((err: Error) =>
          this.logger.error(`Delivering a realtime event failed: ${err.message}`),
        );
      }
    } finally {
      this.delivering = false;
    }
  }

  private async deliver(change: PublishedChange): Promise<void> {
    const candidates = this.streams.candidates(change);
    if (!candidates.size) return;
    // Every delivery asks whether the credentials still hold (the resolver caches briefly).
    const allowed = await this.auth.recheck([...candidates], this.streams.revoke);
    // UUIDs come from PostgreSQL lower-cased; PocketBase text ids are case-sensitive.
    const recordId = String(change.record.id);
    const groups = new Map<string, Group>();
    for (const client of allowed) {
      for (const topic of client.topics.values()) {
        if (topic.collection !== change.collectionName && topic.collection !== change.collectionId) continue;
        if (topic.recordId && topic.recordId !== recordId) continue;
        // Streams of one account share a check: their principals differ only in how fresh they are.
        const key = `${client.owner}\u0001${topic.key}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { principal: client.principal, topic, members: [] }));
        group.members.push([client, topic.raw]);
      }
    }
    const pending = [...groups.values()];
    const worker = async () => {
      for (let g = pending.shift(); g; g = pending.shift()) await this.deliverGroup(change, g);
    };
    await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, pending.length) }, worker));
  }

  /** One rule check (one query, plus expand) answers every subscriber of the group. */
  private async deliverGroup(change: PublishedChange, group: Group): Promise<void> {
    let record: Record<string, unknown> | undefined;
    try {
      record = await this.records.viewSnapshot(
        change.collectionName,
        group.topic.recordId ? 'view' : 'list',
        { filter: group.topic.filter, expand: group.topic.expand },
        group.principal,
        change.record,
      );
    } catch (err) {
      // A schema changed under the subscription (a filter field removed): nothing can be sent.
      this.logger.warn(
        `A realtime rule check for "${group.topic.raw.slice(0, 200)}" failed: ${(err as Error).message}`,
      );
    }
    if (!record) {
      this.counters.dropped.inc({ reason: 'rule' }, group.members.length);
      return;
    }
    const data = JSON.stringify({ action: change.action, record });
    let sent = 0;
    for (const [client, name] of group.members) {
      if (client.topics.has(name) && client.conn.send(name, data)) sent++;
    }
    this.counters.sent.inc(sent);
  }
}
