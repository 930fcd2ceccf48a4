import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not reach in production: loopback, private,
 * link-local (cloud metadata), carrier-grade NAT, unspecified, multicast and
 * reserved ranges, IPv4 and IPv6 (server-side request forgery).
 */
const FORBIDDEN = new BlockList();
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
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
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
