import type { FastifyReply } from 'fastify';

/** Aborted when the client goes away before its answer is written: its queries are cancelled. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return gone.signal;
}
