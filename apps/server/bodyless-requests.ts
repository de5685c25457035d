import type { FastifyInstance } from 'fastify';

/**
 * A request that carries no body (DELETE, GET, HEAD, a body-less POST) is served whatever its
 * Content-Type says: PocketBase's SDK sends `Content-Type: application/json` on every call, and
 * Fastify would otherwise run the JSON parser on nothing and answer 400. A route that needs a body
 * still answers 400 when it gets none, from its own validation.
 */
export function acceptBodylessRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const h = request.headers;
    if (
      h['content-type'] !== undefined &&
      h['transfer-encoding'] === undefined &&
      (h['content-length'] === undefined || h['content-length'] === '0')
    ) {
      delete h['content-type'];
    }
    done();
  });
}
