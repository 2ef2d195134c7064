import { describe, it, expect } from 'vitest';
import { Afi } from '../bgpd/wire/types';
import { MessageReader, formatPrefix } from '../bgpd/wire';
import { GENERATOR_CTX, REALISTIC_LENGTH_SHARE, buildTable, chunk, encodeTable, parseTableSpec } from './bgp-table';

function decodeAll(bufs: Buffer[]): { nlri: string[]; withdrawn: string[]; updates: number } {
  const reader = new MessageReader(() => GENERATOR_CTX);
  const nlri: string[] = [];
  const withdrawn: string[] = [];
  let updates = 0;
  for (const b of bufs) {
    reader.push(b);
    for (let r = reader.next(); r; r = reader.next()) {
      if (!r.ok) throw new Error(r.problems.map((p) => p.reason).join('; '));
      if (r.msg.type !== 2) continue;
      updates++;
      nlri.push(...r.msg.nlri);
      withdrawn.push(...r.msg.withdrawn);
    }
  }
  return { nlri, withdrawn, updates };
}

describe('bench tables', () => {
  it('parses and rejects table specs', () => {
    expect(parseTableSpec('unique:100000')).toEqual({ kind: 'unique', prefixes: 100000 });
    expect(parseTableSpec('realistic:5000:7')).toEqual({ kind: 'realistic', prefixes: 5000, seed: 7 });
    expect(() => parseTableSpec('mrt:5')).toThrow(/bad table spec/);
    expect(() => parseTableSpec('unique:0')).toThrow(/bad table spec/);
  });

  it('unique table: N distinct /32s counting from 100.0.0.0, all decodable, withdrawals cover them all', () => {
    const t = buildTable({ kind: 'unique', prefixes: 3000 }, 65001, '198.18.1.2');
    const enc = encodeTable(t);
    const got = decodeAll(chunk(enc.announce, 10_000));
    expect(got.nlri.length).toBe(3000);
    expect(new Set(got.nlri).size).toBe(3000);
    expect(formatPrefix(Afi.IPv4, got.nlri[0])).toBe('100.0.0.0/32');
    expect(formatPrefix(Afi.IPv4, got.nlri[2999])).toBe('100.0.11.183/32');
    expect(got.updates).toBeLessThan(10);
    const w = decodeAll(enc.withdraw);
    expect(new Set(w.withdrawn)).toEqual(new Set(got.nlri));
  });

  it('realistic table: deterministic per seed, unique prefixes, Internet-like lengths, many attribute sets', () => {
    const a = buildTable({ kind: 'realistic', prefixes: 40_000, seed: 3 }, 65001, '198.18.1.2');
    const b = buildTable({ kind: 'realistic', prefixes: 40_000, seed: 3 }, 65001, '198.18.1.2');
    const c = buildTable({ kind: 'realistic', prefixes: 40_000, seed: 4 }, 65001, '198.18.1.2');
    const ea = encodeTable(a);
    expect(Buffer.concat(ea.announce).equals(Buffer.concat(encodeTable(b).announce))).toBe(true);
    expect(Buffer.concat(ea.announce).equals(Buffer.concat(encodeTable(c).announce))).toBe(false);
    const got = decodeAll(ea.announce);
    expect(got.nlri.length).toBe(40_000);
    expect(new Set(got.nlri).size).toBe(40_000);
    const lens = new Map<number, number>();
    for (const k of got.nlri) lens.set(k.charCodeAt(0), (lens.get(k.charCodeAt(0)) ?? 0) + 1);
    expect(Math.min(...lens.keys())).toBeGreaterThanOrEqual(8);
    expect(Math.max(...lens.keys())).toBe(24);
    expect((lens.get(24) ?? 0) / 40_000).toBeCloseTo(REALISTIC_LENGTH_SHARE[24], 1);
    expect((lens.get(22) ?? 0) / 40_000).toBeCloseTo(REALISTIC_LENGTH_SHARE[22], 1);
    // thousands of sets, a few prefixes per UPDATE like a real table dump
    expect(a.attrSetCount).toBeGreaterThan(3500);
    expect(got.updates).toBeGreaterThan(40_000 / 5);
    expect(got.updates).toBeLessThan(40_000 / 1.5);
    // AS paths of 2–6 hops, first hop the generator (targets enforce the neighbor's AS first)
    for (const g of a.groups.slice(0, 500)) {
      const asns = g.attrs.asPath?.[0].asns ?? [];
      expect(asns[0]).toBe(65001);
      expect(asns.length).toBeGreaterThanOrEqual(2);
      expect(asns.length).toBeLessThanOrEqual(6);
    }
    // no prefix covers the lab's own link addresses (198.18.0.0/15) or loopback
    for (const k of got.nlri) expect([198, 127, 10, 0]).not.toContain(k.charCodeAt(1));
  });

  it('chunk keeps every byte in order', () => {
    const msgs = [Buffer.from([1, 2]), Buffer.from([3]), Buffer.from([4, 5, 6])];
    const c = chunk(msgs, 3);
    expect(Buffer.concat(c)).toEqual(Buffer.from([1, 2, 3, 4, 5, 6]));
    expect(c.length).toBe(2);
  });
});
