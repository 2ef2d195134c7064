// The allocator's functional tests, written against the Datastore interface only, so every store runs
// the same cases: ipam.test.ts (memory store), ipam.k8s.test.ts (Kubernetes store, fake apiserver).
// `open` must return an empty store each time it is called.
import { describe, expect, it } from 'vitest';
import { checkIpam } from '../cli/check';
import { gcIpam } from '../cli/gc';
import type { Datastore } from '../datastore';
import { Ipam } from '../ipam';
import { createPool, deletePool } from '../pools';
import { registerNode } from '../nodes';
import {
  AddressInUseError,
  AddressNotInPoolError,
  AffinityMismatchError,
  BlockLimitError,
  NoQualifiedPoolError,
  PoolExhaustedError,
  FamilyMismatchError,
  CorruptRecordError,
} from '../errors';

export interface AllocatorSuiteOptions {
  /**
   * The store validates records against a schema (Kubernetes: the CRDs), so a record that is not even
   * JSON cannot be written; the corrupt-record case then uses only a schema-valid, inconsistent block.
   */
  readonly schemaChecked?: boolean;
}

export function allocatorSuite(open: () => Promise<Datastore>, opts: AllocatorSuiteOptions = {}): void {
  async function setup(pool = '10.0.0.0/24', blockSize = 26) {
    const ds = await open();
    await createPool(ds, { name: 'p4', cidr: pool, blockSize });
    return { ds, ipam: new Ipam(ds) };
  }

  describe('autoAssign', () => {
    it('claims a block for the node (confirmed affinity) and hands out distinct addresses', async () => {
      const { ipam } = await setup();
      const a = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4, count: 3 });
      const b = await ipam.autoAssign({ handleId: 'h2', node: 'n1', family: 4 });
      const ips = [...a, ...b].map((x) => x.ip);
      expect(new Set(ips).size).toBe(4);
      expect(new Set([...a, ...b].map((x) => x.block)).size).toBe(1);
      const affs = await ipam.res.listAffinities('n1', 4);
      expect(affs.map((x) => x.value.state)).toEqual(['confirmed']);
      expect((await ipam.res.getHandle('h1'))?.value.block).toEqual({ [a[0].block]: 3 });
    });

    it('starts different nodes in different blocks', async () => {
      const { ipam } = await setup('10.0.0.0/16');
      const a = await ipam.autoAssign({ handleId: 'h1', node: 'node-a', family: 4 });
      const b = await ipam.autoAssign({ handleId: 'h2', node: 'node-b', family: 4 });
      expect(a[0].block).not.toBe(b[0].block);
    });

    it('takes a second block when the first is full and borrows at the block cap', async () => {
      const { ipam } = await setup('10.0.0.0/24', 28);
      await ipam.res.setConfig({ maxBlocksPerHost: 2 });
      const got = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4, count: 20 });
      expect(new Set(got.map((x) => x.block)).size).toBe(2);
      // Another node owns a block with room; n1 at its cap borrows from it.
      await ipam.autoAssign({ handleId: 'h2', node: 'n2', family: 4 });
      const more = await ipam.autoAssign({ handleId: 'h3', node: 'n1', family: 4, count: 14 });
      expect(more).toHaveLength(14);
      expect((await ipam.res.listAffinities('n1', 4)).length).toBe(2);
    });

    it('with strictAffinity at the cap fails with BlockLimitError instead of borrowing', async () => {
      const { ipam } = await setup('10.0.0.0/24', 28);
      await ipam.res.setConfig({ maxBlocksPerHost: 1, strictAffinity: true });
      await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4, count: 16 });
      await expect(ipam.autoAssign({ handleId: 'h2', node: 'n1', family: 4 })).rejects.toThrow(BlockLimitError);
      expect(await ipam.res.getHandle('h2')).toBeUndefined();
    });

    it('reports an exhausted pool with numbers and leaks nothing', async () => {
      const { ipam } = await setup('10.0.0.0/24', 26);
      await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4, count: 250 });
      const err = await ipam.autoAssign({ handleId: 'h2', node: 'n1', family: 4, count: 10 }).catch((e) => e);
      expect(err).toBeInstanceOf(PoolExhaustedError);
      expect(err.message).toMatch(/^pool 10\.0\.0\.0\/24 is exhausted: 250 of 256 addresses in use in 4 blocks/);
      await ipam.autoAssign({ handleId: 'h3', node: 'n1', family: 4, count: 6 });
      const full = await ipam.autoAssign({ handleId: 'h4', node: 'n1', family: 4 }).catch((e) => e);
      expect(full.message).toBe('pool 10.0.0.0/24 is exhausted: 256 of 256 addresses in use in 4 blocks');
    });

    it('requires a pool of the family and use', async () => {
      const { ipam } = await setup();
      await expect(ipam.autoAssign({ handleId: 'h', node: 'n1', family: 6 })).rejects.toThrow(NoQualifiedPoolError);
    });

    it('honours nodeSelector with node labels', async () => {
      const ds = await open();
      await createPool(ds, { name: 'rack1', cidr: '10.1.0.0/24', nodeSelector: 'rack == "r1"' });
      await createPool(ds, { name: 'rack2', cidr: '10.2.0.0/24', nodeSelector: 'rack == "r2"' });
      await registerNode(ds, { name: 'n1', labels: { rack: 'r2' } });
      const ipam = new Ipam(ds);
      const [a] = await ipam.autoAssign({ handleId: 'h', node: 'n1', family: 4 });
      expect(a.pool).toBe('rack2');
      expect(a.ip.startsWith('10.2.0.')).toBe(true);
    });

    it('works for IPv6', async () => {
      const ds = await open();
      await createPool(ds, { cidr: 'fd00:10::/48' });
      const ipam = new Ipam(ds);
      const got = await ipam.autoAssign({ handleId: 'h', node: 'n1', family: 6, count: 70 });
      expect(new Set(got.map((g) => g.ip)).size).toBe(70);
      expect(new Set(got.map((g) => g.block)).size).toBe(2);
      expect(got[0].block).toMatch(/^fd00:10:.*\/122$/);
    });
  });

  describe('assignIp and release', () => {
    it('assigns a specific address, refuses it twice, refuses one outside pools', async () => {
      const { ipam } = await setup();
      const a = await ipam.assignIp({ ip: '10.0.0.7', handleId: 'tunnel-n1', node: 'n1', use: 'tunnel' });
      expect(a.block).toBe('10.0.0.0/26');
      await expect(ipam.assignIp({ ip: '10.0.0.7', handleId: 'x', node: 'n1' })).rejects.toThrow(AddressInUseError);
      await expect(ipam.assignIp({ ip: '10.9.0.7', handleId: 'x', node: 'n1' })).rejects.toThrow(AddressNotInPoolError);
      expect((await ipam.res.listAffinities('n1'))[0].value.cidr).toBe('10.0.0.0/26');
    });

    it('with strictAffinity refuses an address in another node\'s block', async () => {
      const { ipam } = await setup();
      await ipam.res.setConfig({ strictAffinity: true });
      await ipam.assignIp({ ip: '10.0.0.7', handleId: 'a', node: 'n1' });
      await expect(ipam.assignIp({ ip: '10.0.0.8', handleId: 'b', node: 'n2' })).rejects.toThrow(AffinityMismatchError);
    });

    it('a stale release (old sequence) does not free a re-allocated address', async () => {
      const { ipam } = await setup('10.0.0.0/24', 30);
      const [a] = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4 });
      expect((await ipam.releaseIps([{ ip: a.ip, sequence: a.sequence }])).get(a.ip)).toBe('released');
      const again = await ipam.assignIp({ ip: a.ip, handleId: 'h2', node: 'n1' });
      expect((await ipam.releaseIps([{ ip: a.ip, sequence: a.sequence }])).get(a.ip)).toBe('stale');
      expect((await ipam.releaseIps([{ ip: a.ip, sequence: again.sequence }])).get(a.ip)).toBe('released');
      expect((await ipam.releaseIps([{ ip: a.ip }])).get(a.ip)).toBe('not-assigned');
      expect(await ipam.res.getHandle('h2')).toBeUndefined();
    });

    it('releases by handle, then the empty block affinity', async () => {
      const { ipam } = await setup();
      const got = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4, count: 5 });
      expect(await ipam.releaseByHandle('h1')).toBe(5);
      expect(await ipam.res.getHandle('h1')).toBeUndefined();
      const [blk] = await ipam.res.listBlocks(4);
      expect(blk.block.empty).toBe(true);
      expect(await ipam.releaseEmptyAffinities('n1')).toEqual([got[0].block]);
      expect(await ipam.res.listBlocks(4)).toEqual([]);
      expect(await ipam.res.listAffinities('n1')).toEqual([]);
    });

    it('releasing the affinity of a block in use leaves the addresses borrowed', async () => {
      const { ipam } = await setup();
      const [a] = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4 });
      expect(await ipam.releaseAffinity('n1', a.block, { requireEmpty: true })).toBe('not-empty');
      expect(await ipam.releaseAffinity('n1', a.block)).toBe('released');
      const [blk] = await ipam.res.listBlocks(4);
      expect(blk.block.affinity).toBeNull();
      expect(blk.block.used).toBe(1);
      // Releasing the last address of an unaffine block deletes the block.
      await ipam.releaseByHandle('h1');
      expect(await ipam.res.listBlocks(4)).toEqual([]);
    });

    it('reclaims an old empty block of another node when the pool has no free block left', async () => {
      const { ipam } = await setup('10.0.0.0/26', 26);
      await ipam.res.setConfig({ emptyBlockReclaimAgeMs: 0 });
      await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4 });
      await ipam.releaseByHandle('h1');
      const [b] = await ipam.autoAssign({ handleId: 'h2', node: 'n2', family: 4 });
      expect(b.block).toBe('10.0.0.0/26');
      expect((await ipam.res.listAffinities('n2')).length).toBe(1);
      expect(await ipam.res.listAffinities('n1')).toEqual([]);
    });
  });

  describe('bad input', () => {
    it('names a v4/v6 mix-up', async () => {
      const { ipam } = await setup();
      await expect(ipam.autoAssign({ handleId: 'h', node: 'n1', family: 4, pools: ['fd00::/64'] })).rejects.toThrow(
        'requested pool fd00::/64 is not an IPv4 address/CIDR',
      );
      await expect(createPool(await open(), { cidr: 'fd00::/64' }, 4)).rejects.toThrow(FamilyMismatchError);
    });

    it('rejects handle ids that would break keys', async () => {
      const { ipam } = await setup();
      await expect(ipam.autoAssign({ handleId: 'net.abc\r\neth0', node: 'n1', family: 4 })).rejects.toThrow(/invalid handle id/);
      await expect(ipam.autoAssign({ handleId: 'a/b', node: 'n1', family: 4 })).rejects.toThrow(/invalid handle id/);
    });

    // Not JSON at all, and JSON that fits the IPAMBlock schema but points at an attribute that doesn't exist.
    const corruptBlocks = [
      ...(opts.schemaChecked ? [] : [['not JSON', '{"cidr": "10.0.0.0/26", "allocations": "oops"']]),
      ['inconsistent', JSON.stringify({ cidr: '10.0.0.0/26', affinity: 'host:n1', allocations: [3], unallocated: [], attributes: [], sequenceNumber: 1 })],
    ];
    it.each(corruptBlocks)('reports a corrupt block (%s) with its key and does not overwrite it', async (_what, corrupt) => {
      const { ds, ipam } = await setup();
      const [a] = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4 });
      const key = `/tortie/ipam/v2/assignment/ipv4/block/${a.block.replace('/', '-')}`;
      const cur = (await ds.get(key))!;
      expect((await ds.update(key, corrupt, cur.revision)).ok).toBe(true);
      const err = await ipam.autoAssign({ handleId: 'h2', node: 'n1', family: 4 }).catch((e) => e);
      expect(err).toBeInstanceOf(CorruptRecordError);
      expect(err.message).toContain(key);
      const stored = (await ds.get(key))!.value;
      // A store may re-serialize JSON (Kubernetes: the object's spec); the content must be untouched.
      if (corrupt.startsWith('{"cidr":"')) expect(JSON.parse(stored)).toEqual(JSON.parse(corrupt));
      else expect(stored).toBe(corrupt);
    });
  });

  describe('pool lifecycle', () => {
    it('gives up empty blocks of a pool that no longer selects the node, and guards pool deletion', async () => {
      const ds = await open();
      await createPool(ds, { name: 'old', cidr: '10.1.0.0/24' });
      const ipam = new Ipam(ds);
      const [a] = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4 });
      await expect(deletePool(ds, 'old')).rejects.toThrow('invalid IP pool old: cannot delete: 1 addresses are still in use in 1 blocks of 10.1.0.0/24');
      await ipam.releaseByHandle('h1');
      expect(await deletePool(ds, 'old')).toBe(true);
      await createPool(ds, { name: 'new', cidr: '10.2.0.0/24' });
      const [b] = await ipam.autoAssign({ handleId: 'h2', node: 'n1', family: 4 });
      expect(b.pool).toBe('new');
      expect((await ipam.res.listAffinities('n1')).map((x) => x.value.cidr)).toEqual([b.block]);
      expect((await ipam.res.getBlock(a.block))).toBeUndefined();
    });
  });

  describe('in-process concurrency', () => {
    it('interleaved assigns and releases stay consistent', async () => {
      const { ds, ipam } = await setup('10.0.0.0/24', 28);
      const got = await Promise.all(Array.from({ length: 60 }, (_, i) => ipam.autoAssign({ handleId: `h${i}`, node: `n${i % 3}`, family: 4 })));
      const ips = got.flat().map((a) => a.ip);
      expect(new Set(ips).size).toBe(60);
      expect((await checkIpam(ds)).problems).toEqual([]);
      await Promise.all([
        ...Array.from({ length: 30 }, (_, i) => ipam.releaseByHandle(`h${i}`)),
        ...Array.from({ length: 30 }, (_, i) => ipam.autoAssign({ handleId: `g${i}`, node: `n${i % 3}`, family: 4 })),
      ]);
      const r = await checkIpam(ds);
      expect(r.problems).toEqual([]);
      expect(r.allocations).toBe(60);
    });
  });

  describe('half-done affinity releases', () => {
    it('a pendingDeletion left on a block in use is restored to confirmed; on an empty block it completes', async () => {
      const { ds, ipam } = await setup();
      const [a] = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4 });
      const aff = (await ipam.res.getAffinity('n1', a.block))!;
      await ipam.res.setAffinity('n1', a.block, 'pendingDeletion', aff.revision);
      expect((await checkIpam(ds)).problems.map((p) => p.kind)).toEqual(['affinity-without-block']);
      await gcIpam(ds, { node: 'n1', graceMs: 0 });
      expect((await ipam.res.getAffinity('n1', a.block))?.value.state).toBe('confirmed');
      expect((await checkIpam(ds)).problems).toEqual([]);
      await ipam.releaseByHandle('h1');
      const aff2 = (await ipam.res.getAffinity('n1', a.block))!;
      await ipam.res.setAffinity('n1', a.block, 'pendingDeletion', aff2.revision);
      await gcIpam(ds, { node: 'n1', graceMs: 0 });
      expect(await ipam.res.getAffinity('n1', a.block)).toBeUndefined();
      expect(await ipam.res.listBlocks(4)).toEqual([]);
    });
  });
}
