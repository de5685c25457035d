import { spawn, type ChildProcess } from 'node:child_process';
import { createECDH, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@plinth/testing';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';

/** What a stub answers for one request; undefined → success. */
export interface StubAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}
export type Script = (req: { token: string; n: number }) => StubAnswer | undefined;

const readBody = (req: IncomingMessage | http2.Http2ServerRequest): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

// --- FCM HTTP v1 and Google's OAuth token endpoint ---

export interface FcmRequest {
  /** When it arrived (ms since epoch). */
  at: number;
  path: string;
  authorization: string;
  contentType: string;
  message: Record<string, unknown> & { token: string };
}

export interface FcmStub {
  url: string;
  tokenUrl: string;
  projectId: string;
  clientEmail: string;
  privateKey: string;
  /** Every send request, accepted or not. */
  requests: FcmRequest[];
  /** Tokens (device tokens) whose message the stub accepted, once per acceptance. */
  accepted: string[];
  /** OAuth assertions received, verified. */
  tokenGrants: number;
  script: Script;
  /** Requests are answered one at a time, each after this long; a client gone meanwhile has nothing accepted. */
  delayMs: number;
  /** With delayMs: accept this many, then hold every further request until its client goes away. */
  pauseAfter?: number;
  close(): Promise<void>;
}

/**
 * A local FCM: `POST /token` checks the service-account JWT (RS256, iss, aud, scope) and issues an
 * access token; `POST /v1/projects/{p}/messages:send` checks it and records the message.
 */
export async function startFcm(): Promise<FcmStub> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pub = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS256');
  const issued = new Set<string>();
  const port = await freePort();
  const stub: FcmStub = {
    url: `http://127.0.0.1:${port}`,
    tokenUrl: `http://127.0.0.1:${port}/token`,
    projectId: 'plinth-test',
    clientEmail: 'push@plinth-test.iam.gserviceaccount.com',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    requests: [],
    accepted: [],
    tokenGrants: 0,
    script: () => undefined,
    delayMs: 0,
    close: async () => undefined,
  };
  const counts = new Map<string, number>();
  let queue: Promise<unknown> = Promise.resolve();
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof json === 'string' ? json : JSON.stringify(json));
    };
    if (req.url === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
        return answer(400, { error: 'unsupported_grant_type' });
      }
      try {
        const { payload } = await jwtVerify(form.get('assertion') ?? '', pub, {
          issuer: stub.clientEmail,
          audience: stub.tokenUrl,
          algorithms: ['RS256'],
        });
        if (payload.scope !== 'https://www.googleapis.com/auth/firebase.messaging') throw new Error('scope');
      } catch {
        return answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      }
      stub.tokenGrants++;
      const token = `ya29.test-${stub.tokenGrants}`;
      issued.add(token);
      return answer(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url ?? '');
    if (!m || req.method !== 'POST') return answer(404, { error: { code: 404, status: 'NOT_FOUND' } });
    const authorization = req.headers.authorization ?? '';
    if (!issued.has(authorization.replace(/^Bearer /, ''))) {
      return answer(401, {
        error: {
          code: 401,
          status: 'UNAUTHENTICATED',
          message: 'Request had invalid authentication credentials.',
        },
      });
    }
    const parsed = JSON.parse(body) as { message: FcmRequest['message'] };
    stub.requests.push({
      at: Date.now(),
      path: req.url!,
      authorization,
      contentType: req.headers['content-type'] ?? '',
      message: parsed.message,
    });
    const token = parsed.message.token;
    const n = (counts.get(token) ?? 0) + 1;
    counts.set(token, n);
    if (stub.delayMs) {
      // One at a time, like a slow provider; a sender that dies meanwhile has nothing accepted.
      let gone = false;
      res.on('close', () => (gone = !res.writableFinished));
      const turn = queue.then(async () => {
        await new Promise((r) => setTimeout(r, stub.delayMs));
        while (stub.pauseAfter !== undefined && stub.accepted.length >= stub.pauseAfter && !gone) {
          await new Promise((r) => setTimeout(r, 20));
        }
      });
      queue = turn;
      await turn;
      if (gone || req.socket.destroyed) return;
    }
    const scripted = stub.script({ token, n });
    if (scripted) {
      res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
      return res.end(scripted.body ?? '');
    }
    stub.accepted.push(token);
    answer(200, { name: `projects/${m[1]}/messages/${stub.requests.length}` });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  stub.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return stub;
}

/** The FCM part of the `push` settings section pointing at the stub. */
export const fcmSettings = (s: FcmStub) => ({
  fcmProjectId: s.projectId,
  fcmClientEmail: s.clientEmail,
  fcmPrivateKey: s.privateKey,
  fcmEndpoint: s.url,
  fcmTokenUrl: s.tokenUrl,
});

// --- APNs over HTTP/2 ---

export interface ApnsRequest {
  token: string;
  headers: http2.IncomingHttpHeaders;
  body: Record<string, unknown>;
  jwt: { kid?: string; alg?: string; iss?: string };
}

export interface ApnsStub {
  url: string;
  teamId: string;
  keyId: string;
  privateKey: string;
  requests: ApnsRequest[];
  script: Script;
  close(): Promise<void>;
}

/**
 * A local APNs: checks the ES256 provider token and records each push. HTTP/2 over TLS with `tls`
 * (a key and certificate the client must trust, as api.push.apple.com's), cleartext HTTP/2 without.
 */
export async function startApns(opts: { tls?: { key: string; cert: string } } = {}): Promise<ApnsStub> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pub = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'ES256');
  const port = await freePort();
  const stub: ApnsStub = {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    teamId: 'TEAM123456',
    keyId: 'KEY1234567',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    requests: [],
    script: () => undefined,
    close: async () => undefined,
  };
  const counts = new Map<string, number>();
  const server: http2.Http2Server | http2.Http2SecureServer = opts.tls
    ? http2.createSecureServer({ key: opts.tls.key, cert: opts.tls.cert })
    : http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', async () => {
      const reply = (status: number, body?: unknown, extra: Record<string, string> = {}) => {
        stream.respond({ ':status': status, 'apns-id': '00000000-0000-4000-8000-000000000000', ...extra });
        stream.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
      };
      const m = /^\/3\/device\/([0-9a-f]+)$/.exec(String(headers[':path']));
      if (headers[':method'] !== 'POST' || !m) return reply(404, { reason: 'BadPath' });
      const jwt = String(headers.authorization ?? '').replace(/^bearer /, '');
      let claims: ApnsRequest['jwt'];
      try {
        const { payload, protectedHeader } = await jwtVerify(jwt, pub, {
          algorithms: ['ES256'],
          issuer: stub.teamId,
        });
        claims = { kid: protectedHeader.kid, alg: protectedHeader.alg, iss: payload.iss };
        if (decodeProtectedHeader(jwt).kid !== stub.keyId) throw new Error('kid');
      } catch {
        return reply(403, { reason: 'InvalidProviderToken' });
      }
      const token = m[1]!;
      stub.requests.push({
        token,
        headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        jwt: claims,
      });
      const n = (counts.get(token) ?? 0) + 1;
      counts.set(token, n);
      const scripted = stub.script({ token, n });
      if (scripted) return reply(scripted.status, scripted.body, scripted.headers);
      reply(200);
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  stub.close = () =>
    new Promise<void>((r) => {
      for (const s of sessions) s.destroy();
      server.close(() => r());
    });
  return stub;
}

export const apnsSettings = (s: ApnsStub) => ({
  apnsTeamId: s.teamId,
  apnsKeyId: s.keyId,
  apnsPrivateKey: s.privateKey,
  apnsBundleId: 'dev.plinth.app',
  apnsEndpoint: s.url,
});

// --- Web Push: web-push-testing, a push service that decrypts what it receives ---

export interface WebPushService {
  url: string;
  subscribe(applicationServerKey: string): Promise<{
    endpoint: string;
    keys: { p256dh: string; auth: string };
    clientHash: string;
  }>;
  /** The decrypted payloads received for a subscription. */
  notifications(clientHash: string): Promise<string[]>;
  expire(clientHash: string): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Starts web-push-testing's server entry on a free port (its state directory in a temp dir). */
export async function startWebPushTesting(): Promise<WebPushService> {
  const port = await freePort();
  const cwd = mkdtempSync(path.join(tmpdir(), 'plinth-wpt-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/web-push-testing/src/bin/server.js'), String(port)],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      resolve();
    });
    child.stderr!.on('data', (d) => (output += d));
    child.once('exit', (code) => reject(new Error(`web-push-testing exited with ${code}: ${output}`)));
  });
  const url = `http://localhost:${port}`;
  const post = async (p: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`web-push-testing ${p}: ${res.status} ${text}`);
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      return text;
    }
  };
  return {
    url,
    subscribe: async (applicationServerKey) => {
      const { data } = await post('/subscribe', { userVisibleOnly: 'true', applicationServerKey });
      // Its endpoint names localhost; 127.0.0.1 avoids an IPv6 detour.
      return { ...data, endpoint: String(data.endpoint).replace('//localhost:', '//127.0.0.1:') };
    },
    notifications: async (clientHash) => (await post('/get-notifications', { clientHash })).data.messages,
    expire: async (clientHash) => {
      await post(`/expire-subscription/${clientHash}`);
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

// --- A Web Push endpoint that records headers and counts sends in flight ---

export interface WebPushRecorder {
  /** Endpoint URL of subscription `name` (the keys are real, so Plinth can encrypt for it). */
  subscription(name: string): { endpoint: string; keys: { p256dh: string; auth: string } };
  requests: Array<{ name: string; headers: http.IncomingHttpHeaders }>;
  /** Most requests the recorder was answering at one moment. */
  peakInFlight: number;
  /** Each request is answered 201 after this long (concurrent requests overlap). */
  holdMs: number;
  close(): Promise<void>;
}

/** A push service stand-in that does not decrypt: it records each request's headers and overlap. */
export async function startWebPushRecorder(): Promise<WebPushRecorder> {
  const port = await freePort();
  let inFlight = 0;
  const rec: WebPushRecorder = {
    subscription: (name) => {
      const ecdh = createECDH('prime256v1');
      return {
        endpoint: `http://127.0.0.1:${port}/push/${encodeURIComponent(name)}`,
        keys: {
          p256dh: ecdh.generateKeys().toString('base64url'),
          auth: randomBytes(16).toString('base64url'),
        },
      };
    },
    requests: [],
    peakInFlight: 0,
    holdMs: 0,
    close: async () => undefined,
  };
  const server = http.createServer(async (req, res) => {
    inFlight++;
    rec.peakInFlight = Math.max(rec.peakInFlight, inFlight);
    await readBody(req);
    rec.requests.push({ name: decodeURIComponent(req.url!.replace(/^\/push\//, '')), headers: req.headers });
    if (rec.holdMs) await new Promise((r) => setTimeout(r, rec.holdMs));
    inFlight--;
    res.writeHead(201, { location: `/message/${rec.requests.length}` });
    res.end();
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  rec.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return rec;
}
