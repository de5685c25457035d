// The baseline of `npm run bench -- --hosting`: @fastify/static serving a folder (BENCH_STATIC_ROOT) on
// PORT, with the same cache headers a site gets from Plinth. /api/ready answers so the harness sees it up.
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';

const app = Fastify({ logger: false });
await app.register(fastifyStatic, { root: process.env.BENCH_STATIC_ROOT, preCompressed: true });
app.get('/api/ready', (_req, reply) => reply.send({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
