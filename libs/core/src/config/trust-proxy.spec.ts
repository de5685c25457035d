import { describe, expect, it } from '@jest/globals';
import { fastifyTrustProxy, parseTrustProxy } from './trust-proxy.js';
import { ConfigError, loadConfig } from './config.js';

describe('PLINTH_TRUST_PROXY', () => {
  it('takes false, true (one proxy) and a hop count', () => {
    for (const v of ['false', 'no', '0', 'FALSE']) expect(parseTrustProxy(v)).toBe(false);
    for (const v of ['true', 'yes', '1', ' True ']) expect(parseTrustProxy(v)).toEqual({ hops: 1 });
    expect(parseTrustProxy('3')).toEqual({ hops: 3 });
    expect(parseTrustProxy('11')).toMatch(/at most 10/);
  });

  it('takes proxy addresses, CIDR ranges and the named private ranges', () => {
    expect(parseTrustProxy('10.0.0.1')).toEqual({ addresses: ['10.0.0.1'] });
    expect(parseTrustProxy(' 127.0.0.1, 10.0.0.0/8 ,fd00::/8,loopback,uniquelocal')).toEqual({
      addresses: ['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'loopback', 'uniquelocal'],
    });
  });

  it('refuses anything else', () => {
    for (const v of ['10.0.0.0/33', '::1/129', '10.0.0/8', 'proxy.local', '10.0.0.1/8/1', '-1', ',', '']) {
      expect(typeof parseTrustProxy(v)).toBe('string');
    }
  });

  it('is false by default and reported with the other bad keys', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ PLINTH_TRUST_PROXY: '10.0.0.0/8' }).http.trustProxy).toEqual({
      addresses: ['10.0.0.0/8'],
    });
    let error: ConfigError | undefined;
    try {
      loadConfig({ PLINTH_TRUST_PROXY: 'everything', PORT: 'x' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error!.problems.map((p) => p.split(' ')[0]).sort()).toEqual(['PLINTH_TRUST_PROXY', 'PORT']);
  });

  it("becomes Fastify's option: hops as a trust function over the hop index", () => {
    expect(fastifyTrustProxy(false)).toBe(false);
    expect(fastifyTrustProxy({ addresses: ['10.0.0.0/8'] })).toEqual(['10.0.0.0/8']);
    const two = fastifyTrustProxy({ hops: 2 }) as (address: string, hop: number) => boolean;
    expect([0, 1, 2, 3].map((hop) => two('203.0.113.1', hop))).toEqual([true, true, false, false]);
  });
});
