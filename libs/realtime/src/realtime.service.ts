import { createHash, randomBytes } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import {
  ANONYMOUS,
  AppError,
  createRedis,
  Lifecycle,
  Metrics,
  PLINTH_CONFIG,
  REDIS,
  type FieldProblem,
  type Principal,
  type ResolvedConfig,
} from '@plinth/core';
import { AuthRecordLoader, RecordEvents, RecordsService, type RecordChange } from '@plinth/collections';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import { SseConnection } from './sse-connection.js';
import { parseTopic, TopicError, type Topic } from './topics.js';

/** Who a client subscribed as; kept in Redis with its topics so any replica can serve it. */
export type StoredAuth =
  | { kind: 'anonymous' }
  | { kind: 'admin'; id: string; email: string }
  | { kind: 'key'; id: string; name: string; scopes: string[] }
  /** `tk`: a hash of the account's token key when subscribing; a new key (sign-out) voids it. */
  | { kind: 'user'; id: string; collectionId: string; tk: string };

export interface ClientState {
  subscriptions: string[];
  auth: StoredAuth;
}

interface LocalClient {
  id: string;
  /** Tells this connection apart from a newer one that resumed the same client id. */
  connection: string;
  conn: SseConnection;
  ip: string;
  topics: Map<string, Topic>;
  auth: StoredAuth;
  authKey: string;
  /** Since when it has had no subscriptions (idle-client cleanup). */
  idleSince?: number;
}

type Message =
  | { t: 'changes'; changes: RecordChange[] }
  /** One change, as replicas before batching published it (read during a rolling upgrade). */
  | { t: 'change'; change: RecordChange }
  | { t: 'subs'; clientId: string; state: ClientState }
  | { t: 'kick'; clientId: string; connection: string };

interface Group {
  auth: StoredAuth;
  topic: Topic;
  members: Array<[LocalClient, string]>;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** Rule checks of one change that run at the same time (each is one query). */
const CHECK_CONCURRENCY = 4;
/** Changes waiting for delivery on this replica before the oldest are dropped. */
const MAX_QUEUE = 10_000;
/** How a published change message starts (`{ t: 'changes', … }`, or an older replica's `{ t: 'change', … }`). */
const CHANGE_PREFIX = '{"t":"change';
/** Most changes one message carries. */
const MAX_BATCH = 200;

/**
 * Realtime over Server-Sent Events (PocketBase's wire shape). Client state (topics and auth) lives
 * in Redis so a client may POST to, or reconnect through, any replica; the connections live here.
 * Every change goes through one Redis channel, so each replica hears subscription updates and
 * changes in the order Redis received them, and delivers to its own connections after a rule check
 * per group of subscribers with the same auth and options.
 */
@Injectable()
export class RealtimeService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private readonly clients = new Map<string, LocalClient>();
  private readonly byCollection = new Map<string, Set<LocalClient>>();
  private readonly perIp = new Map<string, number>();
  private readonly channel: string;
  private readonly limits: ResolvedConfig['realtime'];
  private subscriber?: Redis;
  private publisher?: Redis;
  private stopListening?: () => void;
  private tick?: NodeJS.Timeout;
  private lastHeartbeat = Date.now();
  private closing = false;
  private readonly queue: RecordChange[] = [];
  /** Changes of this turn of the event loop, not yet published. */
  private pendingChanges: RecordChange[] = [];
  private delivering = false;
  private sent!: Counter;
  private dropped!: Counter<'reason'>;

  constructor(
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly records: RecordsService,
    private readonly events: RecordEvents,
    private readonly authRecords: AuthRecordLoader,
    private readonly lifecycle: Lifecycle,
    private readonly metrics: Metrics,
  ) {
    this.channel = `${config.redis.prefix}:realtime`;
    this.limits = config.realtime;
  }

  async onModuleInit(): Promise<void> {
    const clients = this.clients;
    new Gauge({
      name: 'plinth_realtime_connections',
      help: 'Open realtime (SSE) connections on this server',
      registers: [this.metrics.registry],
      collect() {
        this.set(clients.size);
      },
    });
    this.sent = new Counter({
      name: 'plinth_realtime_events_sent_total',
      help: 'Realtime events written to client streams',
      registers: [this.metrics.registry],
    });
    this.dropped = new Counter({
      name: 'plinth_realtime_events_dropped_total',
      help: 'Realtime events not sent: hidden by rules or filters (rule), slow clients cut off (slow_client), queue overflow (overload)',
      labelNames: ['reason'],
      registers: [this.metrics.registry],
    });
    this.publisher = createRedis(this.config.redis.url);
    this.subscriber = createRedis(this.config.redis.url, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    this.subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    await this.subscriber.subscribe(this.channel);
    this.stopListening = this.events.subscribe((change) => this.publishChange(change));
    this.tick = setInterval(() => this.onTick(), Math.min(1000, this.limits.heartbeatMs));
    this.tick.unref();
  }

  /** Runs before the HTTP server closes: streams end now, so shutdown does not wait for them. */
  onModuleDestroy(): void {
    this.closeAll();
  }

  async onApplicationShutdown(): Promise<void> {
    this.flushChanges();
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }

  // ---- connections ---------------------------------------------------------------------------

  /**
   * GET /api/realtime: opens the stream; `resumeId` (a client id seen within the resume window)
   * keeps that client's topics, and its auth when this request carries the same credentials.
   */
  async open(
    req: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    resumeId?: string,
  ): Promise<void> {
    if (this.closing || this.lifecycle.shuttingDown) {
      throw new AppError('SHUTTING_DOWN', 'This server is shutting down. Connect again.', {
        headers: { 'retry-after': '1' },
      });
    }
    const ip = req.ip;
    const open = this.perIp.get(ip) ?? 0;
    if (open >= this.limits.maxPerIp) {
      throw new AppError(
        'REALTIME_TOO_MANY_CONNECTIONS',
        `This address has ${open} realtime connections open (the limit is ${this.limits.maxPerIp}). ` +
          'Close some: one connection can carry many subscriptions.',
        { headers: { 'retry-after': '5' } },
      );
    }
    let id: string | undefined;
    let state: ClientState | undefined;
    if (resumeId && CLIENT_ID.test(resumeId)) {
      state = await this.load(resumeId);
      if (state) {
        id = resumeId;
        // The id alone does not carry the rights it subscribed with (ids end up in URLs and logs):
        // without the same credentials on this request, its topics are judged as anonymous until
        // the client POSTs again, as every client does after PB_CONNECT.
        const caller = await this.authOf(principal);
        if (authKey(caller) !== authKey(state.auth)) state = { ...state, auth: { kind: 'anonymous' } };
      }
    }
    const connection = randomBytes(8).toString('hex');
    if (id !== undefined) {
      // A client reconnecting before its old stream was noticed dead: the old one ends.
      this.clients.get(id)?.conn.close();
      this.publish({ t: 'kick', clientId: id, connection });
    }
    id ??= randomBytes(18).toString('base64url');
    state ??= { subscriptions: [], auth: { kind: 'anonymous' } };
    // Stored before PB_CONNECT is sent: the client may POST its subscriptions at once.
    await this.redis.set(this.key(id), JSON.stringify(state), 'PX', this.connectedTtl());
    if (this.closing) throw new AppError('SHUTTING_DOWN', 'This server is shutting down. Connect again.');
    reply.hijack();
    const conn = new SseConnection(req.raw, reply.raw, () => this.dropped.inc({ reason: 'slow_client' }));
    const client: LocalClient = {
      id,
      connection,
      conn,
      ip,
      topics: new Map(),
      auth: state.auth,
      authKey: authKey(state.auth),
    };
    this.clients.set(id, client);
    this.perIp.set(ip, open + 1);
    this.apply(client, state);
    conn.onClose(() => this.forget(client));
    // Headers hooks set so far (CORS) go out too; the onSend hook does not run for a hijacked reply.
    const headers = { ...reply.getHeaders() } as OutgoingHttpHeaders;
    delete headers['content-length'];
    conn.open({ ...headers, 'x-request-id': req.id });
    conn.send('PB_CONNECT', JSON.stringify({ clientId: id }), id);
  }

  /** POST /api/realtime: replaces the client's topics and the auth they are checked with. */
  async setSubscriptions(clientId: string, subscriptions: string[], principal: Principal): Promise<void> {
    const unique = [...new Set(subscriptions)];
    if (unique.length > this.limits.maxSubscriptions) {
      throw new AppError(
        'REALTIME_TOO_MANY_SUBSCRIPTIONS',
        `A connection may hold at most ${this.limits.maxSubscriptions} subscriptions (got ${unique.length}). ` +
          'Subscribe to the collection with a filter instead of many single records.',
        { errors: [{ path: 'subscriptions', code: 'TOO_MANY_ITEMS', message: 'has too many topics' }] },
      );
    }
    const problems: FieldProblem[] = [];
    const topics: Topic[] = [];
    unique.forEach((raw, i) => {
      try {
        topics.push(parseTopic(raw));
      } catch (err) {
        if (!(err instanceof TopicError)) throw err;
        problems.push({ path: `subscriptions.${i}`, code: 'INVALID_TOPIC', message: err.message });
      }
    });
    if (problems.length) {
      throw new AppError(
        'REALTIME_TOPIC_INVALID',
        `Some topics are invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
        { errors: problems },
      );
    }
    // Options are checked now, for this caller, so a bad filter is a 400 rather than silence.
    for (const [i, topic] of topics.entries()) {
      if (!topic.filter && !topic.expand) continue;
      try {
        await this.records.viewSnapshot(
          topic.collection,
          topic.recordId ? 'view' : 'list',
          { filter: topic.filter, expand: topic.expand },
          principal,
        );
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 400) throw err;
        const message = err.detail.replace(/^(filter|expand): /, '');
        throw new AppError(err.code, `subscriptions.${i}: ${message}`, {
          errors: [{ path: `subscriptions.${i}`, code: err.code, message }],
        });
      }
    }
    const state: ClientState = { subscriptions: unique, auth: await this.authOf(principal) };
    // XX: only while the client exists (its TTL is kept); a vanished client is a 404.
    const stored = await this.redis.set(this.key(clientId), JSON.stringify(state), 'KEEPTTL', 'XX');
    if (stored !== 'OK') {
      throw new AppError(
        'REALTIME_CLIENT_NOT_FOUND',
        'There is no realtime client with this id (it disconnected or never existed). ' +
          'Open GET /api/realtime again and use the clientId of its PB_CONNECT event.',
      );
    }
    const local = this.clients.get(clientId);
    if (local) this.apply(local, state);
    // Through the same channel as changes: the replica holding the stream applies it before any
    // change written after this answer.
    await this.publisher!.publish(
      this.channel,
      JSON.stringify({ t: 'subs', clientId, state } satisfies Message),
    );
  }

  private apply(client: LocalClient, state: ClientState): void {
    for (const t of client.topics.values()) this.byCollection.get(t.collection)?.delete(client);
    client.topics.clear();
    for (const raw of state.subscriptions) {
      try {
        const topic = parseTopic(raw);
        client.topics.set(raw, topic);
        let set = this.byCollection.get(topic.collection);
        if (!set) this.byCollection.set(topic.collection, (set = new Set()));
        set.add(client);
      } catch {
        // stored topics were checked when set
      }
    }
    client.auth = state.auth;
    client.authKey = authKey(state.auth);
    client.idleSince = client.topics.size ? undefined : Date.now();
  }

  private forget(client: LocalClient): void {
    for (const t of client.topics.values()) {
      const set = this.byCollection.get(t.collection);
      set?.delete(client);
      if (set && !set.size) this.byCollection.delete(t.collection);
    }
    const n = (this.perIp.get(client.ip) ?? 1) - 1;
    if (n > 0) this.perIp.set(client.ip, n);
    else this.perIp.delete(client.ip);
    if (this.clients.get(client.id) !== client) return; // a newer connection took this id over
    this.clients.delete(client.id);
    // The client may come back with its id for a while (here or on another replica).
    void this.redis.pexpire(this.key(client.id), this.limits.resumeWindowMs).catch(() => undefined);
  }

  private closeAll(): void {
    this.closing = true;
    if (this.tick) clearInterval(this.tick);
    this.stopListening?.();
    for (const client of [...this.clients.values()]) client.conn.close(true);
  }

  private onTick(): void {
    if (this.lifecycle.shuttingDown) {
      // Clients reconnect at once, through the load balancer, to a replica that stays.
      if (!this.closing) this.closeAll();
      return;
    }
    const now = Date.now();
    for (const client of [...this.clients.values()]) {
      if (client.idleSince !== undefined && now - client.idleSince > this.limits.idleTimeoutMs) {
        client.conn.close();
      }
    }
    if (now - this.lastHeartbeat < this.limits.heartbeatMs) return;
    this.lastHeartbeat = now;
    const pipeline = this.redis.pipeline();
    for (const client of this.clients.values()) {
      client.conn.comment();
      pipeline.pexpire(this.key(client.id), this.connectedTtl());
    }
    if (this.clients.size) void pipeline.exec().catch(() => undefined);
  }

  // ---- changes ------------------------------------------------------------------------------

  /**
   * The changes written during one turn of the event loop go to Redis as one message, in order: a
   * PUBLISH per write was a socket write per write (~8 % of a create's CPU under load).
   */
  private publishChange(change: RecordChange): void {
    this.pendingChanges.push(change);
    if (this.pendingChanges.length >= MAX_BATCH) this.flushChanges();
    else if (this.pendingChanges.length === 1) setImmediate(() => this.flushChanges());
  }

  private flushChanges(): void {
    if (!this.pendingChanges.length) return;
    const changes = this.pendingChanges;
    this.pendingChanges = [];
    this.publish({ t: 'changes', changes });
  }

  private publish(message: Message): void {
    this.publisher
      ?.publish(this.channel, JSON.stringify(message))
      .catch((err: Error) =>
        this.logger.warn(`A realtime message could not be published (Redis): ${err.message}`),
      );
  }

  private receive(raw: string): void {
    // Most of the time no stream here subscribes to anything: a change then needs no parsing.
    if (!this.byCollection.size && raw.startsWith(CHANGE_PREFIX)) return;
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.t === 'subs') {
      const client = this.clients.get(message.clientId);
      if (client) this.apply(client, message.state);
    } else if (message.t === 'kick') {
      const client = this.clients.get(message.clientId);
      if (client && client.connection !== message.connection) client.conn.close();
    } else if ((message.t === 'changes' || message.t === 'change') && !this.closing) {
      for (const change of message.t === 'changes' ? message.changes : [message.change]) {
        if (this.queue.length >= MAX_QUEUE) {
          this.queue.shift();
          this.dropped.inc({ reason: 'overload' });
        }
        this.queue.push(change);
      }
      if (!this.delivering) void this.drain();
    }
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

  private async deliver(change: RecordChange): Promise<void> {
    const candidates = new Set([
      ...(this.byCollection.get(change.collectionName) ?? []),
      ...(this.byCollection.get(change.collectionId) ?? []),
    ]);
    if (!candidates.size) return;
    const recordId = String(change.record.id).toLowerCase();
    const groups = new Map<string, Group>();
    for (const client of candidates) {
      for (const topic of client.topics.values()) {
        if (topic.collection !== change.collectionName && topic.collection !== change.collectionId) continue;
        if (topic.recordId && topic.recordId !== recordId) continue;
        const key = `${client.authKey}\u0001${topic.key}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { auth: client.auth, topic, members: [] }));
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
  private async deliverGroup(change: RecordChange, group: Group): Promise<void> {
    let record: Record<string, unknown> | undefined;
    try {
      const principal = await this.principalOf(group.auth);
      record = await this.records.viewSnapshot(
        change.collectionName,
        group.topic.recordId ? 'view' : 'list',
        { filter: group.topic.filter, expand: group.topic.expand },
        principal,
        change.record,
      );
    } catch (err) {
      // A schema changed under the subscription (a filter field removed): nothing can be sent.
      this.logger.warn(
        `A realtime rule check for "${group.topic.raw.slice(0, 200)}" failed: ${(err as Error).message}`,
      );
    }
    if (!record) {
      this.dropped.inc({ reason: 'rule' }, group.members.length);
      return;
    }
    const data = JSON.stringify({ action: change.action, record });
    let sent = 0;
    for (const [client, name] of group.members) {
      if (client.topics.has(name) && client.conn.send(name, data)) sent++;
    }
    this.sent.inc(sent);
  }

  // ---- auth ---------------------------------------------------------------------------------

  private async authOf(p: Principal): Promise<StoredAuth> {
    switch (p.kind) {
      case 'anonymous':
        return { kind: 'anonymous' };
      case 'admin':
        return { kind: 'admin', id: p.id, email: p.email };
      case 'key':
        return { kind: 'key', id: p.id, name: p.name, scopes: [...p.scopes] };
      case 'user': {
        const loaded = await this.authRecords.load(p.collectionId, p.id);
        return { kind: 'user', id: p.id, collectionId: p.collectionId, tk: tokenKeyHash(loaded?.tokenKey) };
      }
    }
  }

  /**
   * The principal a stored auth stands for now. A user whose account is gone, or whose token key
   * changed since (password change, sign-out everywhere), is judged as anonymous.
   */
  private async principalOf(auth: StoredAuth): Promise<Principal> {
    switch (auth.kind) {
      case 'anonymous':
        return ANONYMOUS;
      case 'admin':
        return { kind: 'admin', id: auth.id, email: auth.email };
      case 'key':
        return { kind: 'key', id: auth.id, name: auth.name, scopes: new Set(auth.scopes) };
      case 'user': {
        const loaded = await this.authRecords.load(auth.collectionId, auth.id);
        if (!loaded || tokenKeyHash(loaded.tokenKey) !== auth.tk) return ANONYMOUS;
        return {
          kind: 'user',
          id: auth.id,
          collectionId: auth.collectionId,
          collectionName: loaded.collectionName,
          record: loaded.record,
        };
      }
    }
  }

  // ---- state in Redis -----------------------------------------------------------------------

  private key(clientId: string): string {
    return `realtime:client:${clientId}`;
  }

  /** While connected the state outlives a few missed heartbeats; after that, the resume window. */
  private connectedTtl(): number {
    return Math.max(this.limits.resumeWindowMs, 2 * this.limits.heartbeatMs) + this.limits.heartbeatMs;
  }

  private async load(clientId: string): Promise<ClientState | undefined> {
    const raw = await this.redis.get(this.key(clientId));
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as ClientState;
    } catch {
      return undefined;
    }
  }

  /** Open connections on this replica (tests and the bench read it). */
  get connectionCount(): number {
    return this.clients.size;
  }
}

function authKey(auth: StoredAuth): string {
  switch (auth.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'admin':
      return `admin:${auth.id}`;
    case 'key':
      return `key:${auth.id}`;
    case 'user':
      return `user:${auth.collectionId}:${auth.id}:${auth.tk}`;
  }
}

function tokenKeyHash(tokenKey: string | undefined): string {
  return createHash('sha256')
    .update(tokenKey ?? '')
    .digest('base64url')
    .slice(0, 16);
}
