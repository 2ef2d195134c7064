import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ipam } from '../ipam';
import { handleKey } from '../keys';
import { createPool } from '../pools';
import { FileStore } from '../store/file-store';
import { MemoryStore } from '../store/memory-store';
import { checkIpam, renderCheck } from './check';
import { gcIpam } from './gc';
import { releaseFromReport, releaseIp } from './release';
import { renderIp, renderShow, showIp, showIpam } from './show';

async function setup() {
  const ds = new MemoryStore();
  await createPool(ds, { name: 'p4', cidr: '10.0.0.0/24' });
  return { ds, ipam: new Ipam(ds) };
}

describe('show', () => {
  it('reports pool and block usage and who holds an address', async () => {
    const { ds, ipam } = await setup();
    await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4, count: 16, owner: { namespace: 'default', pod: 'web-1' } });
    const r = await showIpam(ds);
    expect(r.pools).toEqual([{ name: 'p4', cidr: '10.0.0.0/24', disabled: false, size: 256, used: 16, free: 240, blocks: 1 }]);
    expect(r.blocks[0]).toMatchObject({ node: 'n1', affinityState: 'confirmed', used: 16, free: 48, borrowed: 0 });
    const text = renderShow(r, { showBlocks: true });
    expect(text).toContain('| IP Pool  | 10.0.0.0/24 |       256 |    16 (6%) | 240 (94%) |         |');
    expect(text).toMatch(/\| Block {4}\| 10\.0\.0\.\d+\/26 \|/);
    const block = r.blocks[0].cidr.split('/')[0];
    const info = await showIp(ds, block);
    expect(info).toMatchObject({ assigned: true, handleId: 'h1', owner: { node: 'n1', pod: 'web-1' } });
    expect(renderIp(info)).toContain('  pod: web-1');
    expect(renderIp(await showIp(ds, '10.0.0.255'))).toMatch(/is not assigned/);
  });
});

describe('check, release, gc', () => {
  it('is clean on a consistent store and finds each kind of problem', async () => {
    const { ds, ipam } = await setup();
    const got = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4, count: 2 });
    expect((await checkIpam(ds)).problems).toEqual([]);
    // Handle over-counted (crash between handle increment and block write).
    const h = await ds.get(handleKey('h1'));
    await ds.update(h!.key, JSON.stringify({ handleId: 'h1', block: { [got[0].block]: 3 } }), h!.revision);
    // A handle with nothing behind it.
    await ds.create(handleKey('ghost'), JSON.stringify({ handleId: 'ghost', block: { '10.9.9.0/26': 1 } }));
    // A pending affinity whose claim died before the block was created.
    await ipam.res.setAffinity('n2', '10.0.0.128/26', 'pending');
    // A corrupt record, and a block whose free list disagrees with its allocations.
    await ds.create(handleKey('junk'), '{not json');
    const other = await ipam.autoAssign({ handleId: 'h9', node: 'n9', family: 4 });
    const bkey = `/tortie/ipam/v2/assignment/ipv4/block/${other[0].block.replace('/', '-')}`;
    const bkv = (await ds.get(bkey))!;
    const rec = JSON.parse(bkv.value);
    rec.unallocated = rec.unallocated.slice(1);
    await ds.update(bkey, JSON.stringify(rec), bkv.revision);
    const r = await checkIpam(ds);
    expect(r.problems.map((p) => p.kind).sort()).toEqual([
      'affinity-without-block',
      'block-count-mismatch',
      'corrupt-record',
      'handle-count-mismatch',
      'handle-without-allocations',
    ]);
    expect(r.problems.find((p) => p.kind === 'block-count-mismatch')?.detail).toContain('63 free allocations but 62 unallocated ordinals');
    expect(renderCheck(r)).toContain('Check complete; found 5 problems.');
    expect(r.problems.find((p) => p.kind === 'corrupt-record')?.key).toBe(handleKey('junk'));

    const s = await releaseFromReport(ds, JSON.parse(JSON.stringify(r)));
    expect(s).toMatchObject({ handlesFixed: 2, affinitiesFixed: 1, skipped: 2, errors: [] });
    const after = await checkIpam(ds);
    expect(after.problems.map((p) => p.kind).sort()).toEqual(['block-count-mismatch', 'corrupt-record']);
    expect(JSON.parse((await ds.get(bkey))!.value).unallocated).toHaveLength(62);
    expect((await ds.get(handleKey('junk')))?.value).toBe('{not json');
    expect((await ipam.res.getHandle('h1'))?.value.block).toEqual({ [got[0].block]: 2 });
  });

  it('skips a fix when the record changed since the report', async () => {
    const { ds } = await setup();
    await ds.create(handleKey('ghost'), JSON.stringify({ handleId: 'ghost', block: { '10.0.0.64/26': 1 } }));
    const r = await checkIpam(ds);
    const cur = await ds.get(handleKey('ghost'));
    await ds.update(cur!.key, JSON.stringify({ handleId: 'ghost', block: { '10.0.0.64/26': 2 } }), cur!.revision);
    expect(await releaseFromReport(ds, r)).toMatchObject({ handlesFixed: 0, skipped: 1 });
  });

  it('release --ip frees an address', async () => {
    const { ds, ipam } = await setup();
    const [a] = await ipam.autoAssign({ handleId: 'h1', node: 'n1', family: 4 });
    expect((await releaseIp(ds, a.ip)).message).toBe(`Successfully released IP address ${a.ip}`);
    expect((await releaseIp(ds, a.ip)).message).toBe(`IP address ${a.ip} is not assigned`);
    expect((await checkIpam(ds)).problems).toEqual([]);
  });

  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('gc releases allocations whose netns is gone, only on this node', async () => {
    const nsdir = mkdtempSync('/tmp/tortie-ipam-netns-');
    dirs.push(nsdir);
    const ds = new FileStore(mkdtempSync('/tmp/tortie-ipam-gc-'), { durable: false });
    dirs.push((ds as FileStore).dir);
    await createPool(ds, { name: 'p4', cidr: '10.0.0.0/24' });
    const ipam = new Ipam(ds);
    const ns = (n: string): string => {
      writeFileSync(join(nsdir, n), '');
      return join(nsdir, n);
    };
    await ipam.autoAssign({ handleId: 'live', node: 'n1', family: 4, owner: { netns: ns('live') } });
    const [dead] = await ipam.autoAssign({ handleId: 'dead', node: 'n1', family: 4, count: 2, owner: { netns: ns('dead') } });
    await ipam.autoAssign({ handleId: 'other-node', node: 'n2', family: 4, owner: { netns: join(nsdir, 'missing') } });
    rmSync(join(nsdir, 'dead'));
    const report = await checkIpam(ds, { node: 'n1' });
    expect(report.problems.map((p) => [p.kind, p.handleId])).toEqual([
      ['leaked-ip', 'dead'],
      ['leaked-ip', 'dead'],
    ]);
    const r = await gcIpam(ds, { node: 'n1', graceMs: 0 });
    expect(r.released).toBe(2);
    expect(r.after.problems).toEqual([]);
    expect(await ipam.res.getHandle('dead')).toBeUndefined();
    expect(await ipam.res.getHandle('live')).toBeDefined();
    expect(await ipam.res.getHandle('other-node')).toBeDefined();
    expect((await showIp(ds, dead.ip)).assigned).toBe(false);
  });
});
