// CPU cost of the BGPPeer/BGPFilter/Secret part of one Kubernetes recomputation (pure functions, as
// k8s-source runs them on every event burst): P BGPPeers, each with a password and two filters of
// R rules (half of them NotIn, i.e. complement lists), over N nodes.
//   P=200 R=20 N=1000 npx tsx test/k8s/bgppeer-settings-measure.ts
import { parseBgpFilter } from '../../bgpd/agent/k8s-filters';
import { parseBgpPeer } from '../../bgpd/agent/k8s-peer-settings';
import { clusterNode, clusterPeers } from '../../bgpd/agent/k8s-peers';
import { passwordLookup } from '../../bgpd/agent/k8s-secrets';

const P = Number(process.env.P ?? 200);
const R = Number(process.env.R ?? 20);
const N = Number(process.env.N ?? 1000);
const ROUNDS = 20;

const filterObjs = Array.from({ length: P }, (_, i) => ({
  metadata: { name: `f${i}` },
  spec: {
    importV4: Array.from({ length: R }, (_, r) => ({ cidr: `10.${r}.0.0/16`, matchOperator: r % 2 ? 'NotIn' : 'In', prefixLength: { min: 20, max: 28 }, action: 'Reject' })),
    exportV4: [{ source: 'RemotePeers', action: 'Reject' }],
  },
}));
const secrets = [{ metadata: { name: 'bgp', namespace: 'tortie-system' }, data: Object.fromEntries(Array.from({ length: P }, (_, i) => [`p${i}`, Buffer.from(`key-${i}`).toString('base64')])) }];
const peerObjs = Array.from({ length: P }, (_, i) => ({
  metadata: { name: `p${i}` },
  spec: { peerIP: `198.18.${(i >> 8) & 255}.${i & 255}`, asNumber: 65000 + i, nodeSelector: `rack=r${i % 10},!spot`, holdTime: '90s', password: { secretKeyRef: { name: 'bgp', key: `p${i}` } }, filters: [`f${i}`, `f${(i + 1) % P}`] },
}));
const nodes = Array.from({ length: N }, (_, i) => clusterNode({ metadata: { name: `n${i}`, labels: { rack: `r${i % 10}` } }, status: { addresses: [{ type: 'InternalIP', address: `10.${(i >> 8) & 255}.${i & 255}.1` }] } }));

// k8s-source parses a BGPFilter once per object version (WeakMap on the informer's object): measure the
// recomputation both with every filter re-parsed (first event after start) and with them cached
function measure(label: string, reparse: boolean): void {
  let peers = 0;
  let filters = new Map(filterObjs.map((f) => [f.metadata.name, parseBgpFilter(f)]));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    if (reparse) filters = new Map(filterObjs.map((f) => [f.metadata.name, parseBgpFilter(f)]));
    const password = passwordLookup(secrets, 'tortie-system');
    const explicit = peerObjs.flatMap((p) => parseBgpPeer(p, { filters, password, meshHoldTime: 90 }).peer ?? []);
    peers = clusterPeers(nodes, explicit, { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 }, 'n0').length;
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(`P=${P} R=${R} N=${N} ${label}: ${peers} sessions for n0; per recomputation ${((cpu.user + cpu.system) / 1000 / ROUNDS).toFixed(1)} ms CPU, ${((performance.now() - t0) / ROUNDS).toFixed(1)} ms wall`);
}
measure('filters re-parsed', true);
measure('filters cached', false);

// k8s-source compares whole peer sets as JSON, and the agent each peer's signature (overrides included)
{
  const filters = new Map(filterObjs.map((f) => [f.metadata.name, parseBgpFilter(f)]));
  const explicit = peerObjs.flatMap((p) => parseBgpPeer(p, { filters, password: passwordLookup(secrets, 'tortie-system'), meshHoldTime: 90 }).peer ?? []);
  const next = clusterPeers(nodes, explicit, { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 }, 'n0');
  const cpu0 = process.cpuUsage();
  let bytes = 0;
  for (let round = 0; round < ROUNDS; round++) bytes = JSON.stringify(next).length;
  const cpu = process.cpuUsage(cpu0);
  console.log(`peer set as JSON: ${(bytes / 1e6).toFixed(1)} MB, ${((cpu.user + cpu.system) / 1000 / ROUNDS).toFixed(1)} ms CPU`);
}
