// The node DaemonSet's job on the Kubernetes datastore, end to end: real bgpd processes in lab
// namespaces read Node objects and BGPPeer CRDs from the fake apiserver (the only double: no
// kube-apiserver can run here), form the node-to-node mesh and the ToR session from them, pods get
// addresses from IPAM blocks stored as CRDs through the real CNI plugin, and every pod reaches every other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from './cluster';
import { bgpdCapabilities } from './manifest-caps';
import { waitFor } from '../lab/wait-for';

let cluster: Cluster;
beforeAll(async () => {
  // bgpd gets exactly the capabilities deploy/daemonset.yaml grants it
  cluster = await Cluster.create({ prefix: 'tk8e', nodes: 3, encap: 'none', datastore: 'kubernetes', pods: 1, torPassword: 'tor-md5-e2e', capabilities: bgpdCapabilities() });
}, 150_000);
afterAll(async () => cluster?.destroy(), 60_000);

const blockOf = (ip: string): string => {
  const o = ip.split('.').map(Number);
  return `${o[0]}.${o[1]}.${o[2]}.${o[3] & 0xc0}/26`;
};

describe('mesh and ToR session from Kubernetes objects', () => {
  it('every node peers with the other nodes (from Node objects) and the ToR (from a BGPPeer, TCP-MD5 key from a Secret)', async () => {
    for (const n of cluster.nodes) {
      const peers = (await n.peers()).map((p) => `${p.name} ${p.state}`).sort();
      const others = cluster.nodes.filter((o) => o !== n).map((o) => `Mesh_${o.spec.address.replace(/\./g, '_')} Established`);
      // Calico's naming: a global BGPPeer's session is Global_<ip>
      const tor = `Global_${cluster.torAddress.replace(/\./g, '_')}`;
      expect(peers).toEqual([...others, `${tor} Established`].sort());
    }
  });

  it('every pod pings every other pod', async () => {
    const m = await cluster.pingMatrix();
    expect(m.failed).toEqual([]);
    expect(m.ok).toBe(6);
  }, 60_000);

  it('the ToR holds exactly the pod blocks', async () => {
    const blocks = [...new Set(cluster.pods.map((p) => blockOf(p.ip)))].sort();
    expect(blocks).toHaveLength(3);
    await waitFor(async () => JSON.stringify(await cluster.torPrefixes()) === JSON.stringify(blocks), { what: `ToR prefixes = ${blocks}`, timeoutMs: 10_000, intervalMs: 250 });
  });

  it('a service CIDR in the BGPConfiguration reaches the ToR from every node, with its community, and goes when removed', async () => {
    const svc = '10.96.0.0/12';
    await cluster.api('POST', '/apis/tortie.dev/v1/bgpconfigurations', {
      apiVersion: 'tortie.dev/v1', kind: 'BGPConfiguration', metadata: { name: 'default' },
      spec: { serviceClusterIPs: [{ cidr: svc }], communities: [{ name: 'svc', value: '64512:300' }], prefixAdvertisements: [{ cidr: svc, communities: ['svc'] }] },
    });
    const paths = await waitFor(async () => {
      const r = (await cluster.tor.routes()).filter((x) => x.prefix === svc);
      return r.length === 3 ? r : undefined;
    }, { what: `${svc} from all 3 nodes on the ToR`, timeoutMs: 15_000, intervalMs: 250 });
    expect(paths.map((p) => p.nextHop).sort()).toEqual(cluster.nodes.map((n) => n.spec.address).sort());
    for (const p of paths) expect(p.communities).toContain('64512:300');
    // nothing restarted for it
    for (const n of cluster.nodes) for (const p of await n.peers()) expect(p.state).toBe('Established');
    await cluster.api('PATCH', '/apis/tortie.dev/v1/bgpconfigurations/default', { spec: { serviceClusterIPs: null } });
    await waitFor(async () => !(await cluster.torPrefixes()).includes(svc), { what: `${svc} withdrawn`, timeoutMs: 15_000, intervalMs: 250 });
  }, 60_000);

  it('an invalid BGPPeer gets a Valid=False condition and one Event; every session stays up', async () => {
    const before = new Map((await cluster.nodes[0].peers()).map((p) => [p.name, p.since]));
    // passes the CRD schema (a duration), but RFC 4271 allows no hold time of 1–2 s
    await cluster.api('POST', '/apis/tortie.dev/v1/bgppeers', {
      apiVersion: 'tortie.dev/v1', kind: 'BGPPeer', metadata: { name: 'bad-hold' }, spec: { peerIP: '198.18.1.250', asNumber: 65001, holdTime: '2s' },
    });
    const cond = await waitFor(async () => {
      const o = await cluster.api('GET', '/apis/tortie.dev/v1/bgppeers/bad-hold');
      const c = ((o.status as { conditions?: Record<string, string>[] } | undefined)?.conditions ?? []).find((x) => x.type === 'Valid');
      return c?.status === 'False' ? c : undefined;
    }, { what: 'Valid=False on BGPPeer bad-hold', timeoutMs: 10_000, intervalMs: 200 });
    expect(cond.message).toContain('holdTime');
    const events = ((await cluster.api('GET', '/api/v1/namespaces/default/events')).items as { involvedObject: { name: string }; reason: string }[])
      .filter((e) => e.involvedObject.name === 'bad-hold');
    // three agents saw the same problem: one Event in the cluster, not one per node
    expect(events.map((e) => e.reason)).toEqual(['InvalidSpec']);
    const after = await cluster.nodes[0].peers();
    expect(after.map((p) => p.name).sort()).toEqual([...before.keys()].sort());
    for (const p of after) expect(p.since).toBe(before.get(p.name));
    await cluster.api('DELETE', '/apis/tortie.dev/v1/bgppeers/bad-hold');
  }, 30_000);

  it('a Node object removed drops exactly its mesh sessions; added back, they return', async () => {
    const [a, b, gone] = cluster.nodes;
    const goneName = `Mesh_${gone.spec.address.replace(/\./g, '_')}`;
    const before = new Map((await a.peers()).map((p) => [p.name, p]));
    await cluster.api('DELETE', `/api/v1/nodes/${gone.name}`);
    for (const n of [a, b]) {
      await waitFor(async () => !(await n.peers()).some((p) => p.name === goneName), { what: `${n.name} drops ${goneName}`, timeoutMs: 10_000, intervalMs: 200 });
    }
    // the other sessions stayed up the whole time: same established-since as before
    const after = await a.peers();
    for (const p of after) {
      expect(p.state).toBe('Established');
      expect(p.since).toBe(before.get(p.name)?.since);
    }
    await cluster.apiNode(gone);
    await cluster.waitConverged();
  }, 60_000);

  // last: it adds a fourth node
  it('a joining node is not Ready while a session is still down, and Ready once all have converged', async () => {
    const n = await cluster.addNode({ torLater: true });
    // the HTTP status from busybox wget's -S header dump (it prints no body for a 503)
    const readyz = async (): Promise<{ code: number }> => {
      const r = await n.host.exec('busybox', ['wget', '-q', '-S', '-O', '-', 'http://127.0.0.1:9099/readyz'], { allowFailure: true });
      return { code: Number(/HTTP\/1\.1 (\d+)/.exec(r.stderr)?.[1] ?? -1) };
    };
    // the mesh to the three others comes up; the ToR does not know this node yet
    await waitFor(async () => (await n.peers()).filter((p) => p.name.startsWith('Mesh_') && p.state === 'Established').length === 3,
      { what: 'the new node meshed with the other three', timeoutMs: 15_000, intervalMs: 200 });
    // only the ToR session is missing, well inside the 30 s convergence window: not Ready
    expect((await n.peers()).filter((p) => p.state !== 'Established').map((p) => p.name)).toEqual([`Global_${cluster.torAddress.replace(/\./g, '_')}`]);
    expect((await readyz()).code).toBe(503);
    await cluster.torNeighbor(n);
    await waitFor(async () => (await readyz()).code === 200, { what: '/readyz 200 after the ToR session came up', timeoutMs: 20_000, intervalMs: 250 });
    expect((await n.peers()).every((p) => p.state === 'Established')).toBe(true);
  }, 60_000);
});
