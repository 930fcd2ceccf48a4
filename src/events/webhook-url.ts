import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a webhook may not reach in production: loopback, private,
 * link-local (cloud metadata), carrier-grade NAT, unspecified, multicast and
 * reserved ranges, IPv4 and IPv6 (server-side request forgery).
 */
// Two lists: Node's BlockList matches an IPv4 address against IPv6 rules through its IPv4-mapped
// form, so an IPv4-mapped rule in one list would forbid every IPv4 address.
const FORBIDDEN_V4 = new BlockList();
for (const [network, prefix] of [
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
] as const) {
  FORBIDDEN_V4.addSubnet(network, prefix, 'ipv4');
}
const FORBIDDEN_V6 = new BlockList();
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN_V6.addSubnet(network, prefix, 'ipv6');
}
/** `::ffff:a.b.c.d` (or its hex form): an IPv4 address written as IPv6, judged as that IPv4 address. */
const MAPPED_V4 = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return FORBIDDEN_V4.check(address, 'ipv4');
  const mapped = MAPPED_V4.exec(address);
  if (mapped) {
    const v4 =
      mapped[1] ??
      [parseInt(mapped[2], 16), parseInt(mapped[3], 16)].flatMap((word) => [word >> 8, word & 255]).join('.');
    return isIP(v4) !== 4 || FORBIDDEN_V4.check(v4, 'ipv4');
  }
  return FORBIDDEN_V6.check(address, 'ipv6');
}

/** The rules a URL's text alone decides (no DNS): those of webhookUrlProblem below. */
export function urlFormProblem(raw: string, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not hold credentials';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be https';
  if (!production) {
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      return 'must be https (http only to localhost outside production)';
    }
    return null;
  }
  if (url.protocol !== 'https:') return 'must be https';
  return null;
}

/**
 * Why a webhook URL is refused, or null when it may be used. Production:
 * https only, and every address the host resolves to must be public (checked
 * at registration and again before each delivery, as DNS may change).
 * Elsewhere: https anywhere, or http to this machine (receivers in tests).
 */
export async function webhookUrlProblem(raw: string, production: boolean): Promise<string | null> {
  const problem = urlFormProblem(raw, production);
  if (problem || !production) return problem;
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((found) => found.address);
  } catch {
    return `its host ${host} does not resolve`;
  }
  if (addresses.length === 0 || addresses.some(isForbiddenAddress)) {
    return `its host ${host} resolves to a private, loopback or link-local address`;
  }
  return null;
}

/** Resolves a host name to every address it has (dns.lookup with `all`, by default). */
export type Resolve = (hostname: string, options: LookupAllOptions) => Promise<LookupAddress[]>;

/**
 * A `lookup` for the sockets that deliver webhooks in production: the
 * addresses a connection uses are the ones checked, in the same resolution,
 * so a host that resolves to a public address at the check and to a private
 * one a moment later (DNS rebinding) cannot be reached. A host with any
 * forbidden address is refused, as at registration.
 */
export function pinnedLookup(
  resolve: Resolve = (hostname, options) => lookup(hostname, options),
  forbidden: (address: string) => boolean = isForbiddenAddress,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true, verbatim: true }).then(
      (addresses) => {
        const refused = addresses.find((found) => forbidden(found.address));
        if (addresses.length === 0 || refused) {
          const error = Object.assign(
            new Error(
              `${hostname} resolves to a private, loopback or link-local address (${refused?.address ?? 'none'})`,
            ),
            { code: 'EADDRNOTALLOWED' },
          );
          callback(error, '', 0);
          return;
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
