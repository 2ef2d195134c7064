// IPv6 addresses as 128-bit BigInts: the only width where JS numbers are not exact.

const MAX = (1n << 128n) - 1n;

/** Parses RFC 4291 text (with `::` and an optional trailing dotted quad); undefined when malformed. */
export function parseV6(text: string): bigint | undefined {
  if (text.length === 0 || text.length > 45 || text.includes('%')) return undefined;
  let head = text;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const quad = text.slice(lastColon + 1).split('.');
    if (quad.length !== 4 || quad.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    const q = quad.map(Number);
    tailV4 = [(q[0] << 8) | q[1], (q[2] << 8) | q[3]];
    head = text.slice(0, lastColon + 1) + '0'; // placeholder group, dropped below
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let left = parseGroups(halves[0]);
  let right = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!left || !right) return undefined;
  if (tailV4.length) {
    if (right.length) right = [...right.slice(0, -1), ...tailV4];
    else left = [...left.slice(0, -1), ...tailV4];
  }
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

/** RFC 5952 canonical text: lower case, leading zeros dropped, the longest run (≥2) of zero groups as `::`. */
export function formatV6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function maskV6(prefix: number): bigint {
  return prefix === 0 ? 0n : (MAX << BigInt(128 - prefix)) & MAX;
}
