import { describe, expect, it } from 'vitest';
import { Ipam } from './ipam';
import { poolKey } from './keys';
import { checkPools, createPool, listPools, poolProblems } from './pools';
import { MemoryStore } from './store/memory-store';
import { FileStore } from './store/file-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('poolProblems', () => {
  it('names the field of every problem, all at once', () => {
    expect(poolProblems({ cidr: '10.0.0.1/16', blockSize: 33, nodeSelector: 'has(' })).toEqual([
      { field: 'cidr', message: '10.0.0.1/16 has host bits set (did you mean 10.0.0.0/16?)' },
      { field: 'blockSize', message: 'blockSize 33 is out of range 20–32 for IPv4' },
      { field: 'nodeSelector', message: "unsupported nodeSelector 'has('" },
    ]);
    expect(poolProblems({ cidr: '10.0.0.0/24', blockSize: 22 })).toEqual([{ field: 'blockSize', message: 'blockSize /22 is larger than the pool 10.0.0.0/24 itself' }]);
    expect(poolProblems({ cidr: 'fd00::/64', blockSize: 122, encapsulation: 'ipip' })).toEqual([{ field: 'encapsulation', message: 'IPIP is IPv4 only' }]);
    expect(poolProblems({ cidr: 'nope' }).map((p) => p.field)).toEqual(['cidr']);
    expect(poolProblems({ cidr: '10.0.0.0/16', blockSize: 26, nodeSelector: 'rack == "r1"' })).toEqual([]);
  });
});

describe('checkPools', () => {
  const p = (name: string, cidr: string, created?: number, blockSize = 26) => ({ name, input: { cidr, blockSize }, ...(created !== undefined ? { created } : {}) });

  it('keeps the pool that came first when two overlap, whatever the names; answers in input order', () => {
    const r = checkPools([p('a-new', '10.0.0.0/24', 2000, 28), p('z-old', '10.0.0.0/16', 1000), p('other', '10.1.0.0/16', 3000)]);
    expect(r.map((c) => [c.name, c.pool !== undefined])).toEqual([['a-new', false], ['z-old', true], ['other', true]]);
    expect(r[0].problems).toEqual([{ field: 'cidr', message: '10.0.0.0/24 overlaps pool z-old (10.0.0.0/16), which came first: not used for allocation' }]);
    // same creation time: by name
    expect(checkPools([p('b', '10.0.0.0/24', 5), p('a', '10.0.0.0/25', 5)]).map((c) => c.pool !== undefined)).toEqual([false, true]);
  });

  it('an invalid pool keeps its range while it exists: a later pool overlapping it is not used', () => {
    const r = checkPools([p('good', '10.0.0.0/24', 2), p('bad', '10.0.0.1/16', 1)]);
    expect(r[1].pool).toBeUndefined();
    expect(r[0].pool).toBeUndefined();
    expect(r[0].problems).toEqual([{ field: 'cidr', message: '10.0.0.0/24 overlaps pool bad (10.0.0.1/16), which came first: not used for allocation' }]);
    // without the invalid one, the other is used
    expect(checkPools([p('good', '10.0.0.0/24', 2)])[0].pool?.cidr).toBe('10.0.0.0/24');
  });

  it('breaks ties of creation time and name by uid', () => {
    const q = (uid: string) => ({ name: 'same', input: { cidr: '10.0.0.0/24' }, created: 7, uid });
    expect(checkPools([q('u2'), q('u1')]).map((c) => c.pool !== undefined)).toEqual([false, true]);
    expect(checkPools([q('u1'), q('u2')]).map((c) => c.pool !== undefined)).toEqual([true, false]);
  });
});

describe('which of two overlapping stored pools is used', () => {
  const names = async (ds: MemoryStore | FileStore) => (await listPools(ds)).map((x) => x.value.name);

  for (const open of [() => new MemoryStore(), () => new FileStore(mkdtempSync(join(tmpdir(), 'tortie-pools-')), { durable: false })]) {
    it(`${open().kind}: the first created, however often either is re-written or made invalid`, async () => {
      const ds = open();
      await createPool(ds, { name: 'z', cidr: '10.0.0.0/24', blockSize: 26 });
      await ds.create(poolKey('b'), JSON.stringify({ name: 'b', cidr: '10.0.0.0/24', blockSize: 28 }));
      expect(await names(ds)).toEqual(['z']);
      const touch = async (name: string, change: Record<string, unknown> = {}) => {
        const kv = (await ds.get(poolKey(name)))!;
        expect((await ds.update(kv.key, JSON.stringify({ ...JSON.parse(kv.value), ...change }), kv.revision)).ok).toBe(true);
      };
      await touch('z');
      expect(await names(ds)).toEqual(['z']);
      await touch('b');
      expect(await names(ds)).toEqual(['z']);
      // an operator breaks z: nothing is allocated from the range, b stays skipped
      await touch('z', { blockSize: 19 });
      expect(await names(ds)).toEqual([]);
      await touch('z', { blockSize: 26 });
      expect(await names(ds)).toEqual(['z']);
      // only deleting z hands the range to b
      const z = (await ds.get(poolKey('z')))!;
      await ds.delete(z.key, z.revision);
      expect(await names(ds)).toEqual(['b']);
      if (ds instanceof FileStore) ds.destroy();
    });
  }
});

describe('the allocator with pools written past createPool', () => {
  it('skips an invalid and an overlapping pool (different block size) and never hands out an address twice', async () => {
    const ds = new MemoryStore();
    await createPool(ds, { name: 'main', cidr: '10.9.0.0/24', blockSize: 26 });
    // as if applied with kubectl: the same space cut into /28 blocks, and a pool with host bits
    await ds.create(poolKey('a-overlap'), JSON.stringify({ name: 'a-overlap', cidr: '10.9.0.0/24', blockSize: 28 }));
    await ds.create(poolKey('b-bad'), JSON.stringify({ name: 'b-bad', cidr: '10.8.0.1/24', blockSize: 26 }));
    expect((await listPools(ds)).map((s) => s.value.name)).toEqual(['main']);
    const ipam = new Ipam(ds);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const [a] = await ipam.autoAssign({ handleId: `h${i}`, node: i % 2 ? 'n1' : 'n2', family: 4 });
      expect(a.pool).toBe('main');
      expect(a.block).toMatch(/\/26$/);
      expect(seen.has(a.ip)).toBe(false);
      seen.add(a.ip);
    }
    // a new pool may not overlap even an unusable one
    await expect(createPool(ds, { name: 'c', cidr: '10.8.0.0/25' })).rejects.toThrow(/overlaps existing pool 10\.8\.0\.1\/24/);
  });
});
