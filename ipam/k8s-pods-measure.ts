// Measures kubernetes-mode gc on the fake apiserver: N pods with one address each, every 10th pod
// deleted. Run: npx tsx ipam/k8s-pods-measure.ts [N=1000]
import { gcIpam } from './cli/gc';
import { Ipam } from './ipam';
import { FakeCluster } from './k8s-pods-fake-cluster';
import { kubernetesPodLister } from './k8s-pods-client';
import { findPodOrphans } from './k8s-pods';
import { createPool } from './pools';
const N = Number(process.argv[2] ?? 1000);
async function main() {
const c = await FakeCluster.start();
const ds = c.store();
await createPool(ds, { name: 'p', cidr: '10.0.0.0/16' });
const ipam = new Ipam(ds);
let t = Date.now();
for (let i = 0; i < N; i++) {
  await c.createPod({ namespace: 'default', name: `p${i}`, nodeName: `n${i % 10}` });
  await ipam.autoAssign({ handleId: `h${i}`, node: `n${i % 10}`, family: 4, owner: { namespace: 'default', pod: `p${i}` } });
}
console.log(`setup ${N} pods+allocations: ${Date.now() - t} ms`);
for (let i = 0; i < N; i += 10) await c.deletePod('default', `p${i}`);
const pods = await kubernetesPodLister({ kubeConfig: c.kubeConfig });
t = Date.now();
const o = await findPodOrphans(ds, pods);
console.log(`one observation (blocks + ${N - N / 10} pods): ${Date.now() - t} ms, ${o.length} orphans`);
t = Date.now();
const r = await gcIpam(ds, { pods, graceMs: 0 });
console.log(`gc (grace 0, check+observe+release ${r.released}): ${Date.now() - t} ms, remaining problems ${r.after.problems.length}`);
await c.close();
}
main();
