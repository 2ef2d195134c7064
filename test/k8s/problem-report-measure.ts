// CPU cost of KubernetesProblemReporter.report() per recomputation, steady state (nothing new to write),
// and of the first report (everything new). Run: npx tsx test/k8s/problem-report-measure.ts [nodes] [invalid]
import type { ObjectProblems } from '../../bgpd/agent/k8s-problems';
import { KubernetesProblemReporter, type ReportApi } from '../../bgpd/agent/k8s-report';

const nodes = Number(process.argv[2] ?? 3000);
const invalid = Number(process.argv[3] ?? 100);
let writes = 0;
const api: ReportApi = {
  patchStatus: async () => void writes++,
  createEvent: async () => void writes++,
  patchEvent: async () => void writes++,
};
const items: ObjectProblems[] = [];
for (let i = 0; i < nodes; i++) items.push({ ref: { kind: 'Node', apiVersion: 'v1', name: `node-${i}`, uid: `u${i}` }, problems: i < invalid ? ['no usable IPv4 address'] : [] });
for (let i = 0; i < 200; i++)
  items.push({ ref: { kind: 'BGPPeer', apiVersion: 'tortie.dev/v1', name: `peer-${i}`, uid: `p${i}`, resourceVersion: '5', generation: 1 }, problems: i < invalid ? ['spec.holdTime: expected a duration of 3s–65535s or 0s, found "2s"'] : [] });
const r = new KubernetesProblemReporter({ api, host: 'n1', maxQueue: 100_000 });
const cpu = (fn: () => void): number => {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};
const first = cpu(() => r.report(['Node', 'BGPPeer'], items));
await r.idle();
const firstWrites = writes;
const rounds = 50;
const steady = cpu(() => {
  for (let i = 0; i < rounds; i++) r.report(['Node', 'BGPPeer'], items);
});
await r.idle();
console.log(JSON.stringify({ objects: items.length, invalidNodes: Math.min(invalid, nodes), invalidPeers: Math.min(invalid, 200), firstReportMs: +first.toFixed(2), firstWrites, steadyReportMs: +(steady / rounds).toFixed(3), steadyWrites: writes - firstWrites }));
