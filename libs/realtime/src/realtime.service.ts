import { randomBytes } from 'node:crypto';
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
  Maintenance,
  Metrics,
  PLINTH_CONFIG,
  REDIS,
  type Principal,
  type ResolvedConfig,
} from '@plinth/core';
import { CollectionsRegistry, RecordEvents, RecordsService } from '@plinth/collections';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import { ClientStore, hashSecret, type StoredClient } from './client-store.js';
import { checkSubscriptions } from './check-subscriptions.js';
import { ChangeDeliveries } from './change-deliveries.js';
import type { LocalClient } from './local-client.js';
import { published, type PublishedChange } from './published-change.js';
import { RealtimeAuth, SWEEP_MS, tokenExpiry } from './realtime-auth.js';
import { SseConnection } from './sse-connection.js';
import { parseTopic } from './topics.js';

type Message =
  | { t: 'changes'; changes: PublishedChange[] }
  /** One change, as replicas before batching published it (read during a rolling upgrade). */
  | { t: 'change'; change: PublishedChange }
  /** `credential`: sealed, so Redis never carries a bearer in clear. */
  | { t: 'subs'; clientId: string; subscriptions: string[]; owner: string; credential?: string }
  | { t: 'kick'; clientId: string; connection: string };

const CLIENT_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** How a published change message starts (`{ t: 'changes', … }`, or an older replica's `{ t: 'change', … }`). */
const CHANGE_PREFIX = '{"t":"change';
/** Most changes one message carries. */
const MAX_BATCH = 200;

/**
 * Realtime over Server-Sent Events (PocketBase's wire shape). Client state (topics and the account
 * it is bound to) lives in Redis so a client may POST to, or resume through, any replica; the
 * connections, and the credentials they are judged by, live here. Every change goes through one
 * Redis channel, so each replica hears subscription updates and changes in the order Redis
 * received them, and delivers to its own connections (see ChangeDeliveries).
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
  /** Changes of this turn of the event loop, not yet published. */
  private pendingChanges: PublishedChange[] = [];
  private dropped!: Counter<'reason'>;
  private deliveries!: ChangeDeliveries;
  private revoked!: Counter;
  private readonly store: ClientStore;
  private sweeping = false;

  constructor(
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly records: RecordsService,
    private readonly registry: CollectionsRegistry,
    private readonly events: RecordEvents,
    private readonly auth: RealtimeAuth,
    private readonly lifecycle: Lifecycle,
    private readonly metrics: Metrics,
    private readonly maintenance: Maintenance,
  ) {
    this.channel = `${config.redis.prefix}:realtime`;
    this.limits = config.realtime;
    this.store = new ClientStore(redis);
  }

  async onModuleInit(): Promise<void> {
    // A restore replaced users, rules and records: every stream ends and its client subscribes again.
    this.maintenance.onEnd(() => {
      for (const client of [...this.clients.values()]) this.revoke(client);
    });
    const clients = this.clients;
    new Gauge({
      name: 'plinth_realtime_connections',
      help: 'Open realtime (SSE) connections on this server',
      registers: [this.metrics.registry],
      collect() {
        this.set(clients.size);
      },
    });
    const sent = new Counter({
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
    this.revoked = new Counter({
      name: 'plinth_realtime_streams_revoked_total',
      help: 'Realtime streams ended because their credentials were revoked, deleted or expired',
      registers: [this.metrics.registry],
    });
    this.deliveries = new ChangeDeliveries(
      this.records,
      this.auth,
      { sent, dropped: this.dropped },
      {
        candidates: (change) =>
          new Set([
            ...(this.byCollection.get(change.collectionName) ?? []),
            ...(this.byCollection.get(change.collectionId) ?? []),
          ]),
        revoke: (client) => this.revoke(client),
      },
    );
    this.publisher = createRedis(this.config.redis.url);
    this.subscriber = createRedis(this.config.redis.url, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    this.subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    await this.subscriber.subscribe(this.channel);
    this.stopListening = this.events.subscribe((change) => this.publishChange(published(change)));
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
   * GET /api/realtime: opens the stream. `resumeToken` (the SSE id of an earlier stream, which
   * EventSource resends as Last-Event-ID) keeps that client, with its topics, when this request
   * comes from the account it is bound to; anything else gets a new client.
   */
  async open(
    req: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    authorization: string | undefined,
    resumeToken?: string,
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
    const resumed = resumeToken
      ? await this.resumable(resumeToken, this.auth.identity(principal))
      : undefined;
    const connection = randomBytes(8).toString('hex');
    if (resumed) {
      // A client reconnecting before its old stream was noticed dead: the old one ends.
      this.clients.get(resumed.id)?.conn.close();
      this.publish({ t: 'kick', clientId: resumed.id, connection });
    }
    const id = resumed?.id ?? randomBytes(18).toString('base64url');
    const owner = resumed?.state.owner ?? '';
    // A bound client resumes only with its owner's credentials, which then stand for it.
    const credential = owner ? authorization : undefined;
    const secret = randomBytes(18).toString('base64url');
    const state: StoredClient = {
      subscriptions: resumed?.state.subscriptions ?? [],
      owner,
      resume: hashSecret(secret),
    };
    // Stored before PB_CONNECT is sent: the client may POST its subscriptions at once.
    await this.store.save(id, state, this.connectedTtl());
    if (this.closing) throw new AppError('SHUTTING_DOWN', 'This server is shutting down. Connect again.');
    reply.hijack();
    const conn = new SseConnection(req.raw, reply.raw, () => this.dropped.inc({ reason: 'slow_client' }));
    const client: LocalClient = {
      id,
      connection,
      conn,
      ip,
      topics: new Map(),
      owner,
      principal: ANONYMOUS,
      checkedUntil: 0,
    };
    this.clients.set(id, client);
    this.perIp.set(ip, open + 1);
    this.apply(client, state.subscriptions, owner, credential, credential ? principal : undefined);
    conn.onClose(() => this.forget(client));
    // Headers hooks set so far (CORS) go out too; the onSend hook does not run for a hijacked reply.
    const headers = { ...reply.getHeaders() } as OutgoingHttpHeaders;
    delete headers['content-length'];
    conn.open({ ...headers, 'x-request-id': req.id });
    // The SSE id is the client id, as PocketBase's SDK reads it (`lastEventId`); resuming takes the sealed
    // `resumeToken` of the data instead, so an id seen elsewhere resumes nothing.
    const nextResume = this.auth.seal(`${id}.${secret}`);
    conn.send('PB_CONNECT', JSON.stringify({ clientId: id, resumeToken: nextResume }), id);
  }

  /** The client a resume token names, when its secret is current and `caller` may take it. */
  private async resumable(
    token: string,
    caller: string,
  ): Promise<{ id: string; state: StoredClient } | undefined> {
    const opened = this.auth.open(token);
    const dot = opened?.lastIndexOf('.') ?? -1;
    if (!opened || dot < 0) return undefined;
    const id = opened.slice(0, dot);
    if (!CLIENT_ID.test(id)) return undefined;
    const state = await this.store.load(id);
    if (!state || state.resume !== hashSecret(opened.slice(dot + 1))) return undefined;
    if (state.owner && state.owner !== caller) return undefined;
    return { id, state };
  }

  /**
   * POST /api/realtime: replaces the client's topics and the credentials they are checked with. The
   * first authenticated caller binds the client to its account; anyone else is refused (403).
   */
  async setSubscriptions(
    clientId: string,
    subscriptions: string[],
    principal: Principal,
    authorization: string | undefined,
  ): Promise<void> {
    const unique = [...new Set(subscriptions)];
    await checkSubscriptions(
      this.records,
      unique,
      principal,
      this.limits.maxSubscriptions,
      // An unknown collection is answered where the topic is used; here only the id's form is checked.
      (collection, id) => this.registry.find(collection)?.isId(id) ?? true,
    );
    const owner = this.auth.identity(principal);
    const result = await this.store.setSubscriptions(clientId, owner, unique);
    if (result === 'missing') {
      throw new AppError(
        'REALTIME_CLIENT_NOT_FOUND',
        'There is no realtime client with this id (it disconnected or never existed). ' +
          'Open GET /api/realtime again and use the clientId of its PB_CONNECT event.',
      );
    }
    if (result === 'forbidden') {
      throw new AppError(
        'REALTIME_CLIENT_FORBIDDEN',
        'This realtime client was subscribed with the credentials of another account (or signed in, ' +
          'where this request is anonymous). Open GET /api/realtime again for a client of your own.',
      );
    }
    const credential = owner ? authorization : undefined;
    const local = this.clients.get(clientId);
    if (local) this.apply(local, unique, owner, credential, principal);
    // Through the same channel as changes: the replica holding the stream applies it before any
    // change written after this answer.
    await this.publisher!.publish(
      this.channel,
      JSON.stringify({
        t: 'subs',
        clientId,
        subscriptions: unique,
        owner,
        credential: credential && this.auth.seal(credential),
      } satisfies Message),
    );
  }

  /**
   * Sets a client's topics and credentials; `checked` is the principal the credential was just
   * resolved to on this replica (otherwise the next delivery or sweep resolves it).
   */
  private apply(
    client: LocalClient,
    subscriptions: string[],
    owner: string,
    credential: string | undefined,
    checked?: Principal,
  ): void {
    for (const t of client.topics.values()) this.byCollection.get(t.collection)?.delete(client);
    client.topics.clear();
    for (const raw of subscriptions) {
      try {
        const topic = parseTopic(raw, () => true);
        client.topics.set(raw, topic);
        let set = this.byCollection.get(topic.collection);
        if (!set) this.byCollection.set(topic.collection, (set = new Set()));
        set.add(client);
      } catch {
        // stored topics were checked when set
      }
    }
    client.owner = owner;
    if (client.credential !== credential || checked) {
      client.credential = credential;
      client.principal = credential && checked ? checked : ANONYMOUS;
      client.exp = credential ? tokenExpiry(credential) : undefined;
      client.checkedUntil = checked ? Date.now() + SWEEP_MS : 0;
    }
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
    // A revoked client is gone; any other may come back with its resume token for a while.
    const done = client.revoked
      ? this.store.remove(client.id)
      : this.store.expireAfter(client.id, this.limits.resumeWindowMs);
    void done.catch(() => undefined);
  }

  /** Ends a stream whose credential no longer holds; the client cannot resume it. */
  private revoke(client: LocalClient): void {
    if (client.revoked) return;
    client.revoked = true;
    this.revoked.inc();
    client.conn.close();
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
    const due: LocalClient[] = [];
    for (const client of [...this.clients.values()]) {
      if (client.idleSince !== undefined && now - client.idleSince > this.limits.idleTimeoutMs) {
        client.conn.close();
      } else if (client.exp !== undefined && client.exp <= now) {
        this.revoke(client);
      } else if (client.credential && client.checkedUntil <= now) {
        due.push(client);
      }
    }
    // Streams that hear nothing still end soon after their credential is revoked.
    if (due.length && !this.sweeping) {
      this.sweeping = true;
      void this.auth.recheck(due, (c) => this.revoke(c)).finally(() => (this.sweeping = false));
    }
    if (now - this.lastHeartbeat < this.limits.heartbeatMs) return;
    this.lastHeartbeat = now;
    for (const client of this.clients.values()) client.conn.comment();
    void this.store.touch(this.clients.keys(), this.connectedTtl()).catch(() => undefined);
  }

  // ---- changes ------------------------------------------------------------------------------

  /**
   * The changes written during one turn of the event loop go to Redis as one message, in order: a
   * PUBLISH per write was a socket write per write (~8 % of a create's CPU under load).
   */
  private publishChange(change: PublishedChange): void {
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
      // (A message without a list comes from a replica of an older release: it is left alone.)
      if (client && Array.isArray(message.subscriptions)) {
        const credential = message.credential ? this.auth.open(message.credential) : undefined;
        if (message.credential && !credential) this.revoke(client);
        else this.apply(client, message.subscriptions, message.owner ?? '', credential);
      }
    } else if (message.t === 'kick') {
      const client = this.clients.get(message.clientId);
      if (client && client.connection !== message.connection) client.conn.close();
    } else if ((message.t === 'changes' || message.t === 'change') && !this.closing) {
      this.deliveries.enqueue(message.t === 'changes' ? message.changes : [message.change]);
    }
  }

  // ---- state in Redis -----------------------------------------------------------------------

  /** While connected the state outlives a few missed heartbeats; after that, the resume window. */
  private connectedTtl(): number {
    return Math.max(this.limits.resumeWindowMs, 2 * this.limits.heartbeatMs) + this.limits.heartbeatMs;
  }

  /** Open connections on this replica (tests and the bench read it). */
  get connectionCount(): number {
    return this.clients.size;
  }
}
