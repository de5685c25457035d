import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from '@jest/globals';
import { OAuth2Server } from 'oauth2-mock-server';
import { api } from './auth.js';
import type { TestApp } from './start-app.js';

/** Who is signed in at the provider for the next flow. */
export interface Person {
  sub: string;
  email?: string;
  emailVerified?: boolean;
  /** GitHub: the /user/emails list. */
  githubEmails?: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface SignedIn {
  token: string;
  refreshToken: string;
  record: Record<string, unknown> & { id: string };
  meta: { isNew: boolean };
}

/**
 * Local identity providers for browser-less sign-in flows: `oauth2-mock-server` (authorize, token,
 * userinfo, OpenID discovery; it checks PKCE) and a small GitHub REST API (`/user`, `/user/emails`).
 * The person signed in at the provider is `person`; token requests it answered land in `tokenRequests`.
 */
export class MockProviders {
  person: Person = { sub: 'nobody' };
  readonly tokenRequests: Array<Record<string, string>> = [];

  private constructor(
    readonly mock: OAuth2Server,
    readonly issuer: string,
    private readonly github: Server,
    readonly githubUrl: string,
  ) {}

  static async start(): Promise<MockProviders> {
    const mock = new OAuth2Server();
    await mock.issuer.keys.generate('RS256');
    await mock.start(0, 'localhost');
    // The handlers below read the person of the instance made once the servers listen.
    const self: { providers?: MockProviders } = {};
    const github = createServer((req: IncomingMessage, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const person = self.providers!.person;
      if (!/^Bearer \S+/.test(req.headers.authorization ?? ''))
        return send(401, { message: 'Requires authentication' });
      if (req.url === '/user')
        return send(200, { id: Number(person.sub), login: `user${person.sub}`, email: null });
      if (req.url === '/user/emails') return send(200, person.githubEmails ?? []);
      send(404, { message: 'Not Found' });
    });
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    const githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
    const providers = new MockProviders(mock, mock.issuer.url!, github, githubUrl);
    self.providers = providers;
    const claims = () => {
      const p = providers.person;
      return {
        sub: p.sub,
        ...(p.email !== undefined ? { email: p.email, email_verified: p.emailVerified } : {}),
      };
    };
    mock.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
      Object.assign(token.payload, claims());
    });
    mock.service.on('beforeUserinfo', (res: { body: unknown }) => {
      res.body = claims();
    });
    mock.service.on('beforeResponse', (_res: unknown, req: { body: Record<string, string> }) => {
      providers.tokenRequests.push({ ...req.body });
    });
    return providers;
  }

  /** Endpoint settings that point Google and GitHub at these providers (OIDC discovers them from `issuer`). */
  endpoints(provider: 'google' | 'github'): { authUrl: string; tokenUrl: string; userInfoUrl: string } {
    return {
      authUrl: `${this.issuer}/authorize`,
      tokenUrl: `${this.issuer}/token`,
      userInfoUrl: provider === 'google' ? `${this.issuer}/userinfo` : `${this.githubUrl}/user`,
    };
  }

  async stop(): Promise<void> {
    await this.mock.stop();
    await new Promise((resolve) => this.github.close(resolve));
  }
}

/** A browser's cookies, enough for the sign-in flow (the start answer binds each flow to the browser). */
export function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    keep(res: Response): Response {
      for (const c of res.headers.getSetCookie()) {
        const [name, value] = c.split(';')[0]!.split('=');
        if (value) cookies.set(name!, value);
        else cookies.delete(name!);
      }
      return res;
    },
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
  };
}

/**
 * The browser's side of a social sign-in against `t`, whose PUBLIC_URL is `publicUrl`: nothing listens
 * there, so the test plays the reverse proxy and sends what the provider redirects there to `t`.
 */
export function oauth2Browser(
  t: () => TestApp,
  providers: MockProviders,
  opts: { publicUrl: string; app: string },
) {
  const jar = cookieJar();

  const toServer = async (url: URL) => {
    expect(url.origin).toBe(opts.publicUrl);
    return jar.keep(
      await t().fetch(url.pathname + url.search, { redirect: 'manual', headers: { cookie: jar.header() } }),
    );
  };

  const start = async (provider: string, redirect: string = opts.app, collection = 'users') =>
    jar.keep(
      await t().fetch(
        `/api/collections/${collection}/auth/oauth2/${provider}?redirect=${encodeURIComponent(redirect)}`,
        {
          redirect: 'manual',
        },
      ),
    );

  /** The provider's authorize page → the callback URL on PUBLIC_URL it sends the browser to. */
  async function atProvider(authorize: URL): Promise<URL> {
    const res = await fetch(authorize, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  /** Where the callback sends the browser. */
  async function finish(callback: URL): Promise<URL> {
    const back = await toServer(callback);
    expect(back.status).toBe(302);
    return new URL(back.headers.get('location')!);
  }

  /** start → provider → callback; answers the authorize URL and where the callback sent the browser. */
  async function signIn(provider: string, who: Person) {
    providers.person = who;
    const started = await start(provider);
    expect(started.status).toBe(302);
    const authorize = new URL(started.headers.get('location')!);
    const app = await finish(await atProvider(authorize));
    return { authorize, app };
  }

  const exchange = (code: string, collection = 'users') =>
    api(t())('POST', `/api/collections/${collection}/auth-with-oauth2-code`, { code });

  /** A full sign-in that must succeed; answers the tokens. */
  async function signInOk(provider: string, who: Person): Promise<SignedIn & { authorize: URL }> {
    const { authorize, app } = await signIn(provider, who);
    expect(app.searchParams.get('error')).toBeNull();
    const code = app.searchParams.get('code');
    expect(code).toBeTruthy();
    const res = await exchange(code!);
    expect(res.status).toBe(200);
    return { ...(res.body as SignedIn), authorize };
  }

  return { toServer, start, atProvider, finish, signIn, exchange, signInOk };
}
