// Changes on a running demo cluster: a node joins and leaves, a pod is deleted, and bgpd crashes
// and restarts on one node while two pods ping each other across nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatastore } from '../../ipam/store/open';
import { removeNode } from '../../ipam/nodes';
import { ipamState } from '../cni/ipam-state';
import { Cluster } from './cluster';
import { confirmedBlocks, timeUntilKernels } from './checks';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.create({ prefix: 'te2', nodes: 3, encap: 'none' });
}, 120_000);
afterAll(async () => cluster?.destroy(), 60_000);

describe('cluster changes', () => {
  it('bgpd killed and restarted on n2 during a continuous ping n1 → n2: no packet lost', async () => {
    const a = cluster.pods.find((p) => p.node.name === 'n1')!;
    const b = cluster.pods.find((p) => p.node.name === 'n2')!;
    // 150 echoes 50 ms apart (7.5 s); the crash comes after 1 s and bgpd is back well before the end
    const ping = a.host.exec('busybox', ['ping', '-c', '150', '-i', '0.05', '-W', '1', b.ip], { allowFailure: true });
    await new Promise((r) => setTimeout(r, 1000));
    const n2 = cluster.nodes[1];
    await n2.crashAndRestart();
    expect(n2.process.logs()).toContain('graceful restart');
    const out = (await ping).stdout;
    const m = /(\d+) packets transmitted, (\d+) (packets )?received/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBe(150);
    expect(Number(m![2])).toBe(150);
    await cluster.waitConverged();
  }, 60_000);

  it('a deleted pod loses its /32 host route and its address', async () => {
    const pod = cluster.pods.find((p) => p.node.name === 'n1' && p.name.endsWith('b'))!;
    const n1 = cluster.nodes[0];
    expect((await n1.routes()).has(pod.ip)).toBe(true);
    expect((await ipamState(`file:${cluster.store}`)).addresses.has(pod.ip)).toBe(true);
    await cluster.deletePod(pod);
    expect((await n1.routes()).has(pod.ip)).toBe(false);
    expect((await ipamState(`file:${cluster.store}`)).addresses.has(pod.ip)).toBe(false);
    // the other pod of n1 still answers from everywhere
    const m = await cluster.pingMatrix();
    expect(m.failed).toEqual([]);
  }, 60_000);

  it('a node joining: its block reaches every node kernel within 2 s; leaving: gone everywhere within 2 s', async () => {
    const tStart = Date.now();
    const n4 = await cluster.addNode();
    await cluster.waitConverged();
    const sessionsMs = Date.now() - tStart;
    const others = cluster.nodes.filter((n) => n !== n4);
    // timed from the CNI ADD of n4's first pod, which claims (and confirms) n4's first block
    const t0 = Date.now();
    const pod = await cluster.addPod(n4);
    const cniMs = Date.now() - t0;
    const block = (await confirmedBlocks(cluster.store)).find((b) => b.node === n4.name)!.cidr;
    await timeUntilKernels(others, (r) => r.get(block)?.gateway === n4.spec.address);
    const joinMs = Date.now() - t0;
    process.stdout.write(`e2e: node join: bgpd start → all sessions up ${sessionsMs} ms; first pod ADD (${cniMs} ms) → block ${block} in every kernel ${joinMs} ms\n`);
    expect(joinMs).toBeLessThanOrEqual(2000);
    expect(await cluster.torPrefixes()).toContain(block);
    const m = await cluster.pingMatrix();
    expect(m.failed).toEqual([]);

    // leaving: bgpd stops (Cease to every peer) and the node is removed from the registry
    const t1 = Date.now();
    const ds = await openDatastore(`file:${cluster.store}`);
    try {
      await Promise.all([n4.stop(), removeNode(ds, n4.name)]);
    } finally {
      await ds.close();
    }
    await timeUntilKernels(others, (r) => !r.has(block));
    const leaveMs = Date.now() - t1;
    process.stdout.write(`e2e: node leave → block gone from every kernel ${leaveMs} ms after the stop began\n`);
    expect(leaveMs).toBeLessThanOrEqual(2000);
    expect(await cluster.torPrefixes()).not.toContain(block);
    cluster.pods.splice(cluster.pods.indexOf(pod), 1);
    cluster.nodes.splice(cluster.nodes.indexOf(n4), 1);
    await cluster.waitConverged();
  }, 90_000);
});
