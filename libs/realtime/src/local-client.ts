import type { CheckedStream } from './realtime-auth.js';
import type { SseConnection } from './sse-connection.js';
import type { Topic } from './topics.js';

/** A stream open on this replica, with the topics and credentials it is judged by. */
export interface LocalClient extends CheckedStream {
  id: string;
  /** Tells this connection apart from a newer one that resumed the same client id. */
  connection: string;
  conn: SseConnection;
  ip: string;
  topics: Map<string, Topic>;
  /** The account it is bound to (`''`: anonymous); subscribers of one owner share rule checks. */
  owner: string;
  /** Since when it has had no subscriptions (idle-client cleanup). */
  idleSince?: number;
}
