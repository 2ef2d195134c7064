import { describe, expect, it } from 'vitest';
import { Block } from './block';
import { Cidr } from './cidr';

const cidr = Cidr.parse('10.0.0.0/29')!;

describe('Block', () => {
  it('hands out ordinals in FIFO order and reuses freed ones last', () => {
    const b = Block.create(cidr, 'host:a');
    const first = b.assign(3, 'h1', {});
    expect(first.map((x) => x.ordinal)).toEqual([0, 1, 2]);
    expect(b.release(1)).toBe('released');
    const next = b.assign(5, 'h2', {});
    expect(next.map((x) => x.ordinal)).toEqual([3, 4, 5, 6, 7]);
    expect(b.assign(1, 'h3', {})[0].ordinal).toBe(1);
    expect(b.free).toBe(0);
  });

  it('refuses a stale release after the address was reused', () => {
    const b = Block.create(cidr, null);
    const [a] = b.assign(1, 'h1', {});
    expect(b.release(a.ordinal, { sequence: a.sequence })).toBe('released');
    // Fill the block so ordinal 0 comes round again.
    const again = b.assign(8, 'h2', {});
    expect(again.some((x) => x.ordinal === a.ordinal)).toBe(true);
    expect(b.release(a.ordinal, { sequence: a.sequence })).toBe('stale');
    expect(b.release(a.ordinal, { handleId: 'h1' })).toBe('other-handle');
    expect(b.attributeOf(a.ordinal)?.handleId).toBe('h2');
  });

  it('round-trips through the stored record and rejects corrupt ones', () => {
    const b = Block.create(cidr, 'host:a', 1000);
    b.assign(2, 'h1', { pod: 'p' });
    b.assign(1, 'h2', { pod: 'q' });
    b.release(0);
    const rec = b.toRecord();
    expect(rec.unallocated).toEqual([3, 4, 5, 6, 7, 0]);
    const c = Block.fromRecord(JSON.parse(JSON.stringify(rec)), 'k');
    expect(c.toRecord()).toEqual(rec);
    expect(c.ordinalsOf('h1')).toEqual([1]);
    expect(() => Block.fromRecord({ ...rec, unallocated: [3, 3, 4, 5, 6, 7] }, '/k/x')).toThrow(/corrupt datastore record \/k\/x: ordinal 3 is listed free twice/);
    expect(() => Block.fromRecord({ ...rec, allocations: [null, 7, 1, null, null, null, null, null] }, '/k/x')).toThrow(/missing attribute 7/);
  });

  it('assigns a specific ordinal and removes it from the free list', () => {
    const b = Block.create(cidr, null);
    expect(b.assignOrdinal(5, 'h', {})).toBeDefined();
    expect(b.assignOrdinal(5, 'h', {})).toBeUndefined();
    expect(b.freeOrdinals()).toEqual([0, 1, 2, 3, 4, 6, 7]);
  });
});
