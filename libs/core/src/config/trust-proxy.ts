import { isIP } from 'node:net';

/**
 * Which proxies in front of Plinth may name the client in X-Forwarded-For (PLINTH_TRUST_PROXY).
 * `false`: none, the connecting address is the client. `hops`: that many proxies right in front,
 * whatever their address (`true` means one). `addresses`: proxies at these addresses or ranges.
 */
export type TrustProxy = false | { hops: number } | { addresses: string[] };

export const MAX_TRUSTED_HOPS = 10;

// Names proxy-addr (Fastify's trustProxy) knows for the loopback and private ranges.
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** The setting for a PLINTH_TRUST_PROXY value; a string says what is wrong with it. */
export function parseTrustProxy(raw: string): TrustProxy | string {
  const v = raw.trim().toLowerCase();
  if (v === 'false' || v === 'no' || v === '0') return false;
  if (v === 'true' || v === 'yes') return { hops: 1 };
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= MAX_TRUSTED_HOPS ? { hops } : `must be at most ${MAX_TRUSTED_HOPS} hops`;
  }
  const addresses = v
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = addresses.find((a) => !isAddressOrRange(a));
  if (bad !== undefined || addresses.length === 0) {
    return 'must be true, false, a number of proxies, or proxy addresses and CIDR ranges separated by commas';
  }
  return { addresses };
}

function isAddressOrRange(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address!);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Fastify's `trustProxy` option for the setting. Fastify refuses a bare hop count (it cannot check
 * the peer), so hops become a trust function over the hop index, which it supports.
 */
export function fastifyTrustProxy(
  setting: TrustProxy,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (setting === false) return false;
  if ('hops' in setting) {
    const hops = setting.hops;
    return hops === 0 ? false : (_address: string, hop: number) => hop < hops;
  }
  return setting.addresses;
}
