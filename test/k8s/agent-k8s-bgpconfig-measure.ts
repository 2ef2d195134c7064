// Cost of one KubernetesClusterSource recomputation with N dual-stack Node objects, IPv4 only vs IPv4 +
// IPv6 mesh, and with a node.<name> BGPConfiguration (per-node listen ports): the time from one Node
// write to the new peer set, and the source's CPU time for it.
//   N=3000 npx tsx test/k8s/agent-k8s-bgpconfig-measure.ts
import { KubernetesClusterSource } from '../../bgpd/agent/k8s-source';
import { FakeCluster } from '../../ipam/k8s-pods-fake-cluster';

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function run(c: FakeCluster, families: (4 | 6)[], label: string, round: number): Promise<void> {
  const s = new KubernetesClusterSource({ kubeConfig: c.kubeConfig, nodeName: 'n0', families, defaults: { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 } });
  let changes = 0;
  await s.start(() => changes++);
  const seen = changes;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fetch(`${c.api.url}/api/v1/nodes/n1`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ metadata: { annotations: { 'tortie.dev/address': `198.18.${round}.1` } } }),
  });
  while (changes === seen) await new Promise((r) => setTimeout(r, 1));
  const cpu = process.cpuUsage(cpu0);
  console.log(`${label}: ${s.peers().length} peers; one node change → new peer set in ${(performance.now() - t0).toFixed(1)} ms (process CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms)`);
  await s.stop();
}

async function main(): Promise<void> {
  const c = await FakeCluster.start();
  const n = Number(process.env.N ?? 1000);
  for (let i = 0; i < n; i++) {
    const v4 = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    await post(`${c.api.url}/api/v1/nodes`, { metadata: { name: `n${i}` }, status: { addresses: [{ type: 'InternalIP', address: v4 }, { type: 'InternalIP', address: `fd00::${i.toString(16)}:1` }] } });
  }
  console.log(`N=${n} dual-stack nodes`);
  let round = 0;
  for (let rep = 0; rep < 2; rep++) {
    await run(c, [4], 'IPv4 mesh', ++round);
    await run(c, [4, 6], 'IPv4 + IPv6 mesh', ++round);
  }
  await post(`${c.api.url}/apis/tortie.dev/v1/bgpconfigurations`, { metadata: { name: 'default' }, spec: { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] } });
  await post(`${c.api.url}/apis/tortie.dev/v1/bgpconfigurations`, { metadata: { name: 'node.n5' }, spec: { listenPort: 1179 } });
  await run(c, [4, 6], 'IPv4 + IPv6 mesh, default + node.n5 BGPConfiguration', ++round);
  await c.close();
}
void main();
