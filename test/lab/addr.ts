import { isIP } from 'node:net';

/** "198.18.0.1/24" → { ip: "198.18.0.1", len: 24, family: 4 }. Throws on anything else. */
export function parseCidr(cidr: string): { ip: string; len: number; family: 4 | 6 } {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  const family = m ? isIP(m[1]) : 0;
  if (!m || family === 0) throw new Error(`not an address/prefix-length: ${JSON.stringify(cidr)}`);
  const len = Number(m[2]);
  if (len > (family === 4 ? 32 : 128)) throw new Error(`prefix length too long: ${cidr}`);
  return { ip: m[1], len, family: family as 4 | 6 };
}

export function familyOf(ip: string): 4 | 6 {
  const f = isIP(ip.replace(/\/\d+$/, ''));
  if (f === 0) throw new Error(`not an IP address: ${JSON.stringify(ip)}`);
  return f as 4 | 6;
}

/** The address part of "addr/len". */
export function hostPart(cidr: string): string {
  return parseCidr(cidr).ip;
}

function toBig(ip: string, family: 4 | 6): bigint {
  if (family === 4) return ip.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n);
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function fromBig(v: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((v >> s) & 0xffffn).toString(16));
  // RFC 5952 form (daemons print it that way, so tests can compare strings): the longest run of
  // two or more zero groups, the first one on ties, becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * The n-th address of a subnet with the subnet's prefix length, e.g. nthAddress("198.18.1.0/24", 3)
 * → "198.18.1.3/24". Used to hand out underlay addresses; refuses to leave the subnet.
 */
export function nthAddress(subnet: string, n: number): string {
  const { ip, len, family } = parseCidr(subnet);
  const bits = family === 4 ? 32 : 128;
  const size = 1n << BigInt(bits - len);
  if (n < 1 || BigInt(n) >= size - (family === 4 ? 1n : 0n)) throw new Error(`host ${n} does not fit in ${subnet}`);
  const base = (toBig(ip, family) >> BigInt(bits - len)) << BigInt(bits - len);
  return `${fromBig(base + BigInt(n), family)}/${len}`;
}

/**
 * `count` consecutive IPv4 prefixes of length `len` starting at `first` (e.g. 100k /24s from
 * 16.0.0.0 for table-size tests; they only ever exist inside lab namespaces).
 */
export function consecutivePrefixes(first: string, len: number, count: number): string[] {
  const base = toBig(first, 4);
  const step = 1n << BigInt(32 - len);
  if (base % step !== 0n) throw new Error(`${first} is not aligned to /${len}`);
  if (base + step * BigInt(count) > 1n << 32n) throw new Error(`${count} /${len} prefixes from ${first} overflow IPv4`);
  const out: string[] = [];
  for (let i = 0n; i < BigInt(count); i++) out.push(`${fromBig(base + i * step, 4)}/${len}`);
  return out;
}
