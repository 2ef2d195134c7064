// Changes on a running demo cluster: a node joins and leaves, a pod is deleted, and bgpd crashes —
// or is stopped with SIGTERM, as on a rolling update — and restarts on one node while pods on the
// other nodes ping a pod on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatastore } from '../../ipam/store/open';
import { removeNode } from '../../ipam/nodes';
import { ipamState } from '../cni/ipam-state';
import { Cluster } from './cluster';
import type { ClusterNode } from './node';
import { confirmedBlocks, timeUntilKernels } from './checks';
import { waitFor } from '../lab/wait-for';
import { cidrContains, parseCidr, parseIP } from '../../config/ip';

let cluster: Cluster;

/** Whether the ToR (FRR) holds its path to `prefix` from `peer` as stale; undefined: it has no such path. */
async function torPathStale(prefix: string, peer: string): Promise<boolean | undefined> {
  const doc = JSON.parse(await cluster.tor.vtysh([`show bgp ipv4 unicast ${prefix} json`])) as { paths?: { stale?: boolean; peer?: { peerId?: string } }[] };
  const path = doc.paths?.find((p) => p.peer?.peerId === peer);
  return path ? path.stale === true : undefined;
}

/** Whether `node`'s bgpd holds its path to `prefix` from the peer at `address` as stale. */
async function nodePathStale(node: ClusterNode, prefix: string, address: string): Promise<boolean | undefined> {
  const row = (await node.bgpRoutes(prefix)).find((r) => r.prefix === prefix);
  const name = (await node.peers()).find((p) => p.address === address)?.name;
  const path = row?.paths.find((p) => p.from === name);
  return path ? path.stale : undefined;
}

const received = (out: string): [number, number] => {
  const m = /(\d+) packets transmitted, (\d+) (packets )?received/.exec(out);
  expect(m, out).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
};
beforeAll(async () => {
  cluster = await Cluster.create({ prefix: 't9e', nodes: 3, encap: 'none' });
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

  it('bgpd stopped with SIGTERM (rolling update) and started on n2 while n1 and n3 ping a pod on n2: no packet lost, peers hold its routes stale, not withdrawn', async () => {
    const n2 = cluster.nodes[1];
    const b = cluster.pods.find((p) => p.node === n2)!;
    const senders = cluster.pods.filter((p) => p.node.name === 'n1' || p.node.name === 'n3').filter((p, i, all) => all.findIndex((q) => q.node === p.node) === i);
    const block = (await confirmedBlocks(cluster.store)).find((x) => x.node === n2.name && cidrContains(parseCidr(x.cidr)!, parseIP(b.ip)!))!.cidr;
    const [n1, n3] = [cluster.nodes[0], cluster.nodes[2]];
    const pings = senders.map((a) => a.host.exec('busybox', ['ping', '-c', '150', '-i', '0.05', '-W', '1', b.ip], { allowFailure: true }));
    await new Promise((r) => setTimeout(r, 1000));
    const seen: Record<string, boolean | undefined> = {};
    const t0 = Date.now();
    const code = await n2.stopAndStart('SIGTERM', async () => {
      // while n2's bgpd is gone: the ToR and both other nodes still have its block, marked stale
      await waitFor(async () => {
        seen.tor = await torPathStale(block, n2.spec.address);
        seen.n1 = await nodePathStale(n1, block, n2.spec.address);
        seen.n3 = await nodePathStale(n3, block, n2.spec.address);
        return seen.tor === true && seen.n1 === true && seen.n3 === true;
      }, { what: `${block} stale at the ToR, n1 and n3`, timeoutMs: 5000, intervalMs: 100 }).catch(() => {});
    });
    const backMs = Date.now() - t0;
    expect(seen).toEqual({ tor: true, n1: true, n3: true });
    expect(code).toBe(0);
    expect(n2.process.logs()).toContain('previous run stopped for a restart: graceful restart');
    await cluster.waitConverged();
    process.stdout.write(`e2e: SIGTERM restart of n2: bgpd back ${backMs} ms (stale checks included), every session Established ${Date.now() - t0} ms after the SIGTERM\n`);
    for (const p of pings) expect(received((await p).stdout)).toEqual([150, 150]);
    // the new run told its peers it restarted with forwarding preserved (RFC 4724 R and F bits)
    const mesh = (await n1.peers()).find((p) => p.address === n2.spec.address)!.name;
    expect((await n1.neighbor(mesh)).gracefulRestart.peer).toMatchObject({ restarting: true, families: ['ipv4 (forwarding preserved)'] });
    // End-of-RIB from the new run: nothing stays stale
    await waitFor(async () => (await torPathStale(block, n2.spec.address)) === false && (await nodePathStale(n1, block, n2.spec.address)) === false,
      { what: `${block} fresh again at the ToR and n1`, timeoutMs: 10_000, intervalMs: 200 });
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

    // leaving for good: shutdown.onSigterm notify (applied by a reload), so SIGTERM sends Cease to every
    // peer, and the node is removed from the registry
    await n4.setOnSigterm('notify');
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
    const torView = JSON.parse(await cluster.tor.vtysh([`show bgp neighbors ${n4.spec.address} json`])) as Record<string, { lastResetDueTo?: string }>;
    // FRR: lastResetDueTo "BGP Notification received", the code in lastErrorCodeSubcode (6/2) — a
    // graceful stop would read "Waiting for peer OPEN"-like reasons without a notification
    const nb = torView[n4.spec.address] ?? {};
    expect(nb.lastResetDueTo, JSON.stringify(nb)).toBe('BGP Notification received');
    expect(JSON.stringify(nb)).toMatch(/"lastErrorCodeSubcode":"0602"|Cease\/Administrative Shutdown/);
    expect(n4.process.logs()).toContain('shutting down: administrative shutdown to every peer');
    cluster.pods.splice(cluster.pods.indexOf(pod), 1);
    cluster.nodes.splice(cluster.nodes.indexOf(n4), 1);
    await cluster.waitConverged();
  }, 90_000);
});
