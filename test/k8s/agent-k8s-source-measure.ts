// Measures KubernetesClusterSource.start() against the fake apiserver with N Node objects (list + first
// peer set): N=3000 npx tsx test/k8s/agent-k8s-source-measure.ts
import { KubernetesClusterSource } from '../../bgpd/agent/k8s-source';
import { FakeCluster } from '../../ipam/k8s-pods-fake-cluster';

async function main(): Promise<void> {
  const c = await FakeCluster.start();
  const n = Number(process.env.N ?? 1000);
  for (let i = 0; i < n; i++) {
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    await fetch(`${c.api.url}/api/v1/nodes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: `n${i}` }, status: { addresses: [{ type: 'InternalIP', address }] } }),
    });
  }
  const s = new KubernetesClusterSource({ kubeConfig: c.kubeConfig, nodeName: 'n0', defaults: { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 } });
  let changes = 0;
  const t0 = performance.now();
  await s.start(() => changes++);
  console.log(`N=${n}: start ${(performance.now() - t0).toFixed(0)} ms, ${s.peers().length} peers, ${changes} onChange calls`);
  // one node moves: apiserver write → watch event → full recomputation → onChange
  const t1 = performance.now();
  const seen = changes;
  await fetch(`${c.api.url}/api/v1/nodes/n1`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ metadata: { annotations: { 'tortie.dev/address': '198.18.0.1' } } }),
  });
  while (changes === seen) await new Promise((r) => setTimeout(r, 1));
  console.log(`one node address change → new peer set in ${(performance.now() - t1).toFixed(1)} ms`);
  await s.stop();
  await c.close();
}
void main();
