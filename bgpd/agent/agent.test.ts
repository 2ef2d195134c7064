import { afterEach, describe, expect, it } from 'vitest';
import { Ipam } from '../../ipam/ipam';
import { registerNode, removeNode } from '../../ipam/nodes';
import { createPool } from '../../ipam/pools';
import { MemoryStore } from '../../ipam/store/memory-store';
import { prefixKey } from '../rib/prefix-key';
import { Afi } from '../wire/types';
import { Agent } from './agent';
import { FakeProgrammer, FakeSpeaker, identity } from './test-fakes';

const until = async (fn: () => boolean, what: string): Promise<void> => {
  const end = Date.now() + 2000;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

async function setup(opts: { pools?: { cidr: string; blockSize?: number; encapsulation?: 'none' | 'vxlan' | 'ipip' }[] } = {}) {
  const ds = new MemoryStore();
  const speaker = new FakeSpeaker();
  const programmer = new FakeProgrammer();
  const agent = new Agent({
    ds, speaker, programmer, identity: identity(), debounceMs: 1,
    node: { name: 'node-a', ipv4: '198.18.1.1', asNumber: 64512, vxlanVtep: '10.65.0.1', vxlanMac: '66:00:00:00:00:01' },
    pools: opts.pools ?? [{ cidr: '10.65.0.0/16', blockSize: 26 }],
  });
  agents.push(agent);
  await agent.start();
  return { ds, speaker, programmer, agent, ipam: new Ipam(ds) };
}

describe('Agent', () => {
  it('registers the node and creates the configured pool once', async () => {
    const { ds } = await setup();
    expect(JSON.parse((await ds.get('/tortie/nodes/node-a'))!.value)).toMatchObject({ ipv4: '198.18.1.1', vxlanMac: '66:00:00:00:00:01' });
    expect((await ds.list('/tortie/ipam/v2/pool/')).map((kv) => JSON.parse(kv.value).cidr)).toEqual(['10.65.0.0/16']);
  });

  it('originates and blackholes a confirmed local block, withdraws it when released', async () => {
    const { speaker, programmer, agent, ipam } = await setup();
    const [a] = await ipam.autoAssign({ handleId: 'pod1', node: 'node-a', family: 4 });
    await until(() => speaker.originated.has(a.block), 'block originated');
    expect(programmer.locals).toEqual(new Set([a.block]));
    expect(agent.stats().ipam).toEqual([{ pool: '10.65.0.0/16', allocated: 1, capacity: 64, blocks: 1 }]);

    await ipam.releaseByHandle('pod1');
    expect(await ipam.releaseAffinity('node-a', a.block, { requireEmpty: true })).toBe('released');
    await until(() => !speaker.originated.has(a.block), 'block withdrawn');
    expect(programmer.locals.size).toBe(0);
  });

  it('ignores blocks of other nodes but originates a /32 for an address it borrowed', async () => {
    // one block in the pool: node-b gets it, node-a must borrow from it
    const { speaker, ipam } = await setup({ pools: [{ cidr: '10.66.0.0/26', blockSize: 26 }] });
    await ipam.autoAssign({ handleId: 'podb', node: 'node-b', family: 4 });
    const [a] = await ipam.autoAssign({ handleId: 'poda', node: 'node-a', family: 4 });
    expect(a.block).toBe('10.66.0.0/26');
    await until(() => speaker.originated.has(`${a.ip}/32`), 'borrowed /32 originated');
    expect([...speaker.originated]).toEqual([`${a.ip}/32`]);
    await ipam.releaseByHandle('poda');
    await until(() => speaker.originated.size === 0, 'borrowed /32 withdrawn');
  });

  it('follows node joins and leaves, touching only the affected sessions', async () => {
    const { ds, speaker, agent } = await setup();
    await registerNode(ds, { name: 'node-b', ipv4: '198.18.1.2' });
    await until(() => speaker.peers.has('Mesh_198_18_1_2'), 'b added');
    const p = speaker.peers.get('Mesh_198_18_1_2')!;
    expect(p).toMatchObject({ address: '198.18.1.2', asNumber: 64512, type: 'mesh', holdTime: 9, routeReflectorClient: false });
    await registerNode(ds, { name: 'node-c', ipv4: '198.18.1.3' });
    await until(() => speaker.peers.size === 2, 'c added');
    await removeNode(ds, 'node-b');
    await until(() => !speaker.peers.has('Mesh_198_18_1_2'), 'b removed');
    // an unrelated change (labels) re-syncs but must not bounce the session to c
    await registerNode(ds, { name: 'node-c', ipv4: '198.18.1.3', labels: { rack: 'r1' } });
    await agent.syncNow();
    expect(speaker.calls.filter((c) => c.includes('Mesh'))).toEqual(['add Mesh_198_18_1_2', 'add Mesh_198_18_1_3', 'remove Mesh_198_18_1_2']);
  });

  it('switches to route-reflector sessions when a reflector registers', async () => {
    const { ds, speaker } = await setup();
    await registerNode(ds, { name: 'node-b', ipv4: '198.18.1.2' });
    await until(() => speaker.peers.has('Mesh_198_18_1_2'), 'mesh to b');
    await registerNode(ds, { name: 'rr', ipv4: '198.18.1.10', rrClusterId: '1.0.0.1' });
    await until(() => !speaker.peers.has('Mesh_198_18_1_2') && speaker.peers.has('Mesh_198_18_1_10'), 'rr only');
    expect(speaker.peers.get('Mesh_198_18_1_10')!.type).toBe('rr');
  });

  it('serves clients when this node is the reflector', async () => {
    const ds = new MemoryStore();
    const speaker = new FakeSpeaker();
    const agent = new Agent({ ds, speaker, identity: identity(), debounceMs: 1, node: { name: 'rr', ipv4: '198.18.1.10', rrClusterId: '1.0.0.1' } });
    agents.push(agent);
    await registerNode(ds, { name: 'node-b', ipv4: '198.18.1.2' });
    await agent.start();
    expect(speaker.peers.get('Mesh_198_18_1_2')).toMatchObject({ type: 'rr-client', routeReflectorClient: true });
  });

  it('without a programmer (kernel routes off) it does not follow best routes at all', async () => {
    const ds = new MemoryStore();
    const speaker = new FakeSpeaker();
    const agent = new Agent({ ds, speaker, identity: identity(), debounceMs: 1, node: { name: 'node-a', ipv4: '198.18.1.1', asNumber: 64512 }, pools: [] });
    agents.push(agent);
    await agent.start();
    expect(speaker.bestSubscribed).toBe(false);
    expect(agent.stats().remoteRoutes).toBe(0);
    const { speaker: withKernel } = await setup();
    expect(withKernel.bestSubscribed).toBe(true);
  });

  it('programs best routes with the pool encapsulation and the next hop node VTEP', async () => {
    const { ds, speaker, programmer } = await setup({ pools: [{ cidr: '10.67.0.0/16', encapsulation: 'vxlan' }] });
    await registerNode(ds, { name: 'node-b', ipv4: '198.18.1.2', vxlanVtep: '10.67.1.0', vxlanMac: '66:00:00:00:00:02' });
    await until(() => speaker.peers.size === 1, 'b known');
    const nh = (address: string) => ({ local: false, nextHops: [{ address, peer: address, routerId: address }] });
    speaker.emit([
      { afi: Afi.IPv4, prefix: prefixKey(Afi.IPv4, '10.67.1.0/26'), best: nh('198.18.1.2') },
      { afi: Afi.IPv4, prefix: prefixKey(Afi.IPv4, '192.0.2.0/24'), best: nh('198.18.1.254') },
      { afi: Afi.IPv4, prefix: prefixKey(Afi.IPv4, '10.67.0.0/26'), best: { local: true, nextHops: [] } },
    ]);
    expect(programmer.remotes.get('10.67.1.0/26')).toEqual({
      prefix: '10.67.1.0/26', encap: 'vxlan',
      nextHops: [{ address: '198.18.1.2', node: 'node-b', vtep: { ip: '10.67.1.0', mac: '66:00:00:00:00:02' } }],
    });
    expect(programmer.remotes.get('192.0.2.0/24')).toEqual({ prefix: '192.0.2.0/24', encap: 'none', nextHops: [{ address: '198.18.1.254' }] });
    expect(programmer.remotes.has('10.67.0.0/26')).toBe(false);

    speaker.emit([{ afi: Afi.IPv4, prefix: prefixKey(Afi.IPv4, '10.67.1.0/26'), best: null }]);
    expect(programmer.remotes.has('10.67.1.0/26')).toBe(false);
  });

  it('re-programs known routes when a node VTEP appears later', async () => {
    const { ds, speaker, programmer, agent } = await setup({ pools: [{ cidr: '10.68.0.0/16', encapsulation: 'vxlan' }] });
    speaker.emit([{ afi: Afi.IPv4, prefix: prefixKey(Afi.IPv4, '10.68.5.0/26'), best: { local: false, nextHops: [{ address: '198.18.1.5', peer: '198.18.1.5', routerId: '1.1.1.5' }] } }]);
    expect(programmer.remotes.get('10.68.5.0/26')!.nextHops[0].vtep).toBeUndefined();
    await registerNode(ds, { name: 'node-e', ipv4: '198.18.1.5', vxlanVtep: '10.68.5.0', vxlanMac: '66:00:00:00:00:05' });
    await until(() => programmer.remotes.get('10.68.5.0/26')!.nextHops[0].vtep !== undefined, 'vtep filled in');
    await agent.stop({ deregister: true });
    expect(await ds.get('/tortie/nodes/node-a')).toBeUndefined();
  });
});

describe('Agent resync', () => {
  it('catches a change whose watch event never arrived', async () => {
    const ds = new MemoryStore();
    const speaker = new FakeSpeaker();
    const agent = new Agent({ ds, speaker, identity: identity(), debounceMs: 1, resyncMs: 30, node: { name: 'node-a', ipv4: '198.18.1.1' } });
    agents.push(agent);
    await agent.start();
    // a store that drops events: writes go straight into the data without notifying watchers
    const silent = ds as unknown as { watchers: Set<unknown> };
    const saved = [...silent.watchers];
    silent.watchers.clear();
    await registerNode(ds, { name: 'node-b', ipv4: '198.18.1.2' });
    for (const w of saved) silent.watchers.add(w);
    await until(() => speaker.peers.has('Mesh_198_18_1_2'), 'periodic resync');
  });
});

