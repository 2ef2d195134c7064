// The IPAM allocator on a durable FileStore with every call one exclusive() transaction (as the CNI
// plugin runs it): staged writes, read back within the transaction, committed at its end.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { checkIpam } from '../cli/check';
import { Ipam } from '../ipam';
import { createPool } from '../pools';
import { FileStore } from './file-store';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function open(dir: string): { ds: FileStore; ipam: Ipam } {
  const ds = new FileStore(dir);
  return { ds, ipam: new Ipam(ds, { hostLock: { with: (fn) => ds.exclusive(fn) } }) };
}

describe('Ipam on a durable FileStore, one transaction per call', () => {
  it('allocates distinct addresses across block claims, releases them, and leaves a clean store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tortie-ipam-tx-'));
    dirs.push(dir);
    const a = open(dir);
    const b = open(dir); // a second "process" on the same store, interleaving with the first
    await createPool(a.ds, { name: 'tx', cidr: '10.90.0.0/24', blockSize: 28 });
    const calls = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).ipam.autoAssign({ handleId: `h${i}`, node: i % 3 ? 'n1' : 'n2', family: 4 }));
    const got = (await Promise.all(calls)).flat();
    expect(new Set(got.map((x) => x.ip)).size).toBe(40);
    const report = await checkIpam(open(dir).ds);
    expect(report.problems).toEqual([]);
    expect(report.allocations).toBe(40);
    // The all-or-nothing path inside one transaction: 300 more cannot fit into the /24, nothing leaks.
    await expect(a.ipam.autoAssign({ handleId: 'big', node: 'n1', family: 4, count: 300 })).rejects.toThrow(/exhausted/);
    expect((await checkIpam(open(dir).ds)).allocations).toBe(40);
    const freed = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? b : a).ipam.releaseByHandle(`h${i}`)));
    expect(freed.every((n) => n === 1)).toBe(true);
    const after = await checkIpam(open(dir).ds);
    expect(after.problems).toEqual([]);
    expect(after.allocations).toBe(0);
    expect(after.handles).toBe(0);
    // Every staged temp file was renamed or superseded.
    const tmps = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tmps(join(d, e.name)) : e.name.startsWith('.tmp-') ? [e.name] : []));
    expect(tmps(join(dir, 'data'))).toEqual([]);
  });
});
