import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** Loopback, private, link-local, multicast and reserved addresses (IPv4-mapped IPv6 included). */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(ip);
  if (!family) return true;
  return blocked.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** What an admin reads next to a refused private endpoint. */
export const PRIVATE_ENDPOINTS_HINT =
  'set PLINTH_ALLOW_PRIVATE_ENDPOINTS=true to allow private and loopback addresses (local development)';

/**
 * Why `host` (a name or an IP literal) is not a public host, or null. Names that look public are
 * checked again at connect time, on the addresses they resolve to (`publicOnlyLookup`).
 */
export function publicHostProblem(host: string): string | null {
  const h = host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (!h) return 'must name a host';
  if (h === 'localhost' || h.endsWith('.localhost') || (!h.includes('.') && !isIP(h))) {
    return 'must be on a public host';
  }
  if (isIP(h) && isPrivateAddress(h)) return 'must be on a public address';
  return null;
}

/**
 * Why an admin-configured outbound URL (OIDC issuer, S3 endpoint, FCM/APNs endpoints) is refused,
 * or null. With `allowPrivate` only its form is checked.
 */
export function outboundUrlProblem(value: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  return allowPrivate ? null : publicHostProblem(url.hostname);
}

/**
 * Why a Web Push endpoint is refused, or null. Without `allowPrivate` it must be https on a
 * public host name or address, so device registration cannot aim the worker at internal services.
 */
export function webPushEndpointProblem(endpoint: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    return 'must be an https URL';
  }
  return allowPrivate ? null : publicHostProblem(url.hostname);
}

/**
 * A DNS lookup for the HTTP client that refuses private addresses, so a public name that
 * resolves to an internal address at send time is refused too.
 */
export function publicOnlyLookup(): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (bad || !list.length) {
        const e = Object.assign(
          new Error(`${hostname} resolves to a private address (${bad?.address ?? 'none'})`),
          {
            code: 'EPRIVATEADDRESS',
          },
        );
        return callback(e, '', 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/**
 * Resolves `host` the way a connection would and answers its address, refusing (EPRIVATEADDRESS)
 * when any address is private: for clients that take an address but no lookup function (SMTP).
 */
export function resolvePublicAddress(host: string): Promise<{ address: string; family: number }> {
  const lookup = publicOnlyLookup();
  return new Promise((resolve, reject) =>
    lookup(host.replace(/^\[|\]$/g, ''), {}, (err, address, family) =>
      err ? reject(err) : resolve({ address: address as string, family: family ?? 4 }),
    ),
  );
}

/**
 * Throws (EPRIVATEADDRESS) when `url` is refused by `outboundUrlProblem`: Node never calls a custom
 * lookup for an IP literal, so clients check the URL itself before connecting through the guard.
 */
export function assertPublicUrl(url: string): void {
  const problem = outboundUrlProblem(url, false);
  if (problem) {
    throw Object.assign(new Error(`${url} ${problem}; ${PRIVATE_ENDPOINTS_HINT}`), {
      code: 'EPRIVATEADDRESS',
    });
  }
}
