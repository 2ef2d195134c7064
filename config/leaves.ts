// Parsers for single config values. Each says what it expected when it fails, so errors read
// "expected an AS number 1–4294967295, found ...". They are plain functions (no zod) so the cross-field
// checks can reuse them on the raw document to look at whatever parts did parse.
import { closest } from './did-you-mean';
import { formatCidr, formatIP, hasHostBits, maxPrefixLength, networkOf, parseCidr, parseIP, parseIPv4 } from './ip';
import type { Family } from './ip';

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string; hint?: string };

export type Leaf<T> = (v: unknown) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (expected: string, hint?: string): Parsed<never> => (hint ? { ok: false, expected, hint } : { ok: false, expected });

const familyName = (f: Family) => (f === 4 ? 'IPv4' : 'IPv6');

export function integer(min: number, max: number, what: string): Leaf<number> {
  const expected = `${what} ${min}–${max}`;
  return (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? ok(v) : fail(expected));
}

const AS_TRANS = 23456;
const AS_EXPECTED = 'an AS number 1–4294967295';

/** asplain as a number or string, or asdot ("1.10" = 65546) as operators copy it from RFC 5396 docs. */
export const asNumber: Leaf<number> = (v) => {
  let n: number | undefined;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string' && /^[0-9]{1,10}$/.test(v)) n = Number(v);
  else if (typeof v === 'string' && /^[0-9]{1,5}\.[0-9]{1,5}$/.test(v)) {
    const [hi, lo] = v.split('.').map(Number);
    if (hi <= 65535 && lo <= 65535) n = hi * 65536 + lo;
  }
  if (n === undefined || n < 1 || n > 4294967295) return fail(AS_EXPECTED);
  // RFC 6793: AS_TRANS stands in for 4-byte ASes towards old speakers; configuring it breaks loop detection
  if (n === AS_TRANS) return fail(`${AS_EXPECTED} other than 23456 (AS_TRANS, RFC 6793)`);
  return ok(n);
};

export const port: Leaf<number> = integer(1, 65535, 'a TCP port');

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Whole seconds as a number, or a Calico/Go-style duration such as "90s", "1m30s", "2m". */
export function seconds(allowed: (n: number) => boolean, expected: string): Leaf<number> {
  return (v) => {
    let n: number | undefined;
    if (typeof v === 'number' && Number.isInteger(v)) n = v;
    else if (typeof v === 'string' && /^([0-9]+[hms])+$/.test(v)) {
      n = 0;
      for (const m of v.matchAll(/([0-9]+)([hms])/g)) n += Number(m[1]) * unitSeconds[m[2]];
    }
    if (n === undefined || !allowed(n)) return fail(expected);
    return ok(n);
  };
}

export const holdTime = seconds((n) => n === 0 || (n >= 3 && n <= 65535), 'a hold time of 0 or 3–65535 seconds');
// RFC 4271 §10: keepalive is a fraction of the hold time, which itself is at most 65535
export const keepaliveTime = seconds((n) => n >= 0 && n <= 21845, 'a keepalive time of 0–21845 seconds');
export const connectRetryTime = seconds((n) => n >= 1 && n <= 65535, 'a connect retry time of 1–65535 seconds');
// RFC 4724: the restart time is a 12-bit field
export const restartTime = seconds((n) => n >= 1 && n <= 4095, 'a graceful restart time of 1–4095 seconds');
export const restartAfter = seconds((n) => n >= 1 && n <= 86400, 'a restart delay of 1–86400 seconds');

const yamlBooleanLookalikes = new Set(['yes', 'no', 'on', 'off', 'y', 'n', 'true', 'false', 'True', 'False']);

export const boolean: Leaf<boolean> = (v) => {
  if (typeof v === 'boolean') return ok(v);
  if (typeof v === 'string' && yamlBooleanLookalikes.has(v)) {
    return fail('true or false', 'YAML 1.2 reads yes/no/on/off and quoted words as strings: write true or false unquoted');
  }
  return fail('true or false');
};

export function oneOf<const T extends string>(values: readonly T[]): Leaf<T> {
  const expected = values.length === 1 ? `"${values[0]}"` : `one of ${values.join(', ')}`;
  return (v) => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return ok(v as T);
    const guess = typeof v === 'string' ? closest(v, values) : undefined;
    return fail(expected, guess ? `did you mean "${guess}"?` : undefined);
  };
}

export function text(what: string, max = 1024): Leaf<string> {
  return (v) => (typeof v === 'string' && v.length > 0 && v.length <= max ? ok(v) : fail(what));
}

export function absolutePath(what: string, maxBytes = 4095): Leaf<string> {
  const expected = `an absolute path (${what})`;
  return (v) => {
    if (typeof v !== 'string' || !v.startsWith('/')) return fail(expected, typeof v === 'string' && v !== '' ? 'the daemon has no useful working directory: start the path with /' : undefined);
    if (Buffer.byteLength(v) > maxBytes) return fail(`${expected} of at most ${maxBytes} bytes`);
    return ok(v);
  };
}

// sun_path is 108 bytes including the terminating NUL
export const socketPath: Leaf<string> = absolutePath('a unix socket', 107);

/** Kubernetes node names are RFC 1123 subdomains. */
export const nodeName: Leaf<string> = (v) => {
  const expected = 'a node name (lower-case letters, digits, "-" and ".", at most 253 characters)';
  if (typeof v !== 'string' || v.length === 0 || v.length > 253) return fail(expected);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v)) {
    const lower = v.toLowerCase();
    return fail(expected, lower !== v && /^[a-z0-9.-]+$/.test(lower) ? `did you mean "${lower}"?` : undefined);
  }
  return ok(v);
};

/** Peer and policy names end up in bgpctl output and log lines: keep them printable and short. */
export const shortName: Leaf<string> = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(v)
    ? ok(v)
    : fail('a name of 1–64 letters, digits, "_", "." or "-"');

function otherFamilyHint(v: unknown, wanted: Family, where?: string): string | undefined {
  if (typeof v !== 'string') return undefined;
  const ip = parseIP(v) ?? parseCidr(v)?.ip;
  if (!ip || ip.family === wanted) return undefined;
  return `that is an ${familyName(ip.family)} address${where ? `; ${familyName(ip.family)} belongs in ${where}` : ''}`;
}

/** An IP address, optionally of one family; returned in canonical form (RFC 5952 for IPv6). */
export function ipAddress(family?: Family, otherFamilyKey?: string): Leaf<string> {
  const expected = family ? `an ${familyName(family)} address` : 'an IPv4 or IPv6 address';
  return (v) => {
    const ip = typeof v === 'string' ? parseIP(v) : undefined;
    if (!ip) {
      const c = typeof v === 'string' ? parseCidr(v) : undefined;
      return fail(expected, c ? `write the address without the /${c.prefixLength}` : undefined);
    }
    if (family && ip.family !== family) return fail(expected, otherFamilyHint(v, family, otherFamilyKey));
    if (ip.value === 0n) return fail(`${expected} other than the unspecified address`);
    return ok(formatIP(ip));
  };
}

export interface NodeAddress {
  address: string;
  /** The node's subnet when written as address/len (Calico's ipv4Address form), used for crossSubnet. */
  subnet?: string;
}

/** The node's own address, as a bare IP or Calico-style "198.18.0.1/24" (host bits expected). */
export function nodeAddress(family: Family, otherFamilyKey: string): Leaf<NodeAddress> {
  const expected = `an ${familyName(family)} address, optionally with its prefix length (e.g. ${family === 4 ? '198.18.0.1/24' : 'fd00::1/64'})`;
  return (v) => {
    if (typeof v !== 'string') return fail(expected);
    const c = parseCidr(v);
    const ip = c ? c.ip : parseIP(v);
    if (!ip || ip.value === 0n) return fail(expected);
    if (ip.family !== family) return fail(expected, otherFamilyHint(v, family, otherFamilyKey));
    return ok(c ? { address: formatIP(ip), subnet: formatCidr(networkOf(c)) } : { address: formatIP(ip) });
  };
}

/** A network CIDR (no host bits), returned canonical. */
export function cidr(family?: Family): Leaf<string> {
  const expected = family ? `an ${familyName(family)} CIDR` : 'a CIDR such as 10.244.0.0/16 or fd00:10:244::/48';
  return (v) => {
    const c = typeof v === 'string' ? parseCidr(v) : undefined;
    if (!c) {
      const ip = typeof v === 'string' ? parseIP(v) : undefined;
      return fail(expected, ip ? `add the prefix length, e.g. /${maxPrefixLength(ip.family)} for one address` : undefined);
    }
    if (family && c.ip.family !== family) return fail(expected, otherFamilyHint(v, family));
    if (hasHostBits(c)) return fail('a network address with no host bits set', `did you mean "${formatCidr(networkOf(c))}"?`);
    return ok(formatCidr(c));
  };
}

/** Router IDs are 32 bits even on IPv6-only nodes (RFC 6286); "hash" derives one from the node name as Calico does. */
export const routerId: Leaf<string> = (v) => {
  const expected = 'a router ID as a dotted quad (e.g. 198.18.0.1) or "hash"';
  if (v === 'hash') return ok(v);
  const ip = typeof v === 'string' ? parseIPv4(v) : undefined;
  if (!ip) {
    const v6 = typeof v === 'string' && v.includes(':') && parseIP(v);
    return fail(expected, v6 ? 'a router ID is 32 bits even for IPv6 (RFC 6286): use a dotted quad' : undefined);
  }
  if (ip.value === 0n) return fail(`${expected}, not 0.0.0.0 (RFC 6286)`);
  return ok(formatIP(ip));
};

export const clusterId: Leaf<string> = (v) => {
  const ip = typeof v === 'string' ? parseIPv4(v) : undefined;
  return ip && ip.value !== 0n ? ok(formatIP(ip)) : fail('a route reflector cluster ID as a dotted quad (e.g. 244.0.0.1)');
};

const wellKnownCommunities: Record<string, string> = {
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'no-export-subconfed': '65535:65283',
  'blackhole': '65535:666',
  'graceful-shutdown': '65535:0',
};

/** Standard community "asn:value" (both 0–65535) or a well-known name; canonical "asn:value". */
export function community(allowWildcard: boolean): Leaf<string> {
  const expected = `a community "asn:value" with both parts 0–65535${allowWildcard ? ' ("*" allowed as a part)' : ''}, or one of ${Object.keys(wellKnownCommunities).join(', ')}`;
  return (v) => {
    if (typeof v !== 'string') return fail(expected);
    if (v in wellKnownCommunities) return ok(wellKnownCommunities[v]);
    const parts = v.split(':');
    if (parts.length !== 2) return fail(expected, parts.length === 3 ? 'three parts make a large community: put it under largeCommunities' : undefined);
    const good = parts.every((p) => (allowWildcard && p === '*') || (/^(0|[1-9][0-9]{0,4})$/.test(p) && Number(p) <= 65535));
    return good ? ok(parts.join(':')) : fail(expected);
  };
}

/** Large community "global:local1:local2" (RFC 8092), each part 0–4294967295. */
export function largeCommunity(allowWildcard: boolean): Leaf<string> {
  const expected = `a large community "asn:value:value" with each part 0–4294967295${allowWildcard ? ' ("*" allowed as a part)' : ''}`;
  return (v) => {
    if (typeof v !== 'string') return fail(expected);
    const parts = v.split(':');
    if (parts.length !== 3) return fail(expected, parts.length === 2 ? 'two parts make a standard community: put it under communities' : undefined);
    const good = parts.every((p) => (allowWildcard && p === '*') || (/^(0|[1-9][0-9]{0,9})$/.test(p) && Number(p) <= 4294967295));
    return good ? ok(parts.join(':')) : fail(expected);
  };
}

// TCP_MD5SIG_MAXKEYLEN in the Linux uapi
export const md5Password: Leaf<string> = (v) =>
  typeof v === 'string' && v.length > 0 && Buffer.byteLength(v) <= 80 ? ok(v) : fail('a TCP-MD5 password of 1–80 bytes');

/** "self" or an IP address. */
export const nextHop: Leaf<string> = (v) => {
  if (v === 'self') return ok('self');
  const r = ipAddress()(v);
  return r.ok ? r : fail('"self" or an IP address');
};

export const etcdEndpoint: Leaf<string> = (v) => {
  const expected = 'an etcd endpoint URL such as http://127.0.0.1:2379';
  if (typeof v !== 'string') return fail(expected);
  let u: URL;
  try { u = new URL(v); } catch { return fail(expected, /^[^/]+:[0-9]+$/.test(v) ? `did you mean "http://${v}"?` : undefined); }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') return fail(expected);
  return ok(v);
};
