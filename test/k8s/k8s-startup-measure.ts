// What reading the own AS and listen port at start costs bgpd (k8s-startup.ts), against the in-process
// fake apiserver: `npx tsx test/k8s/k8s-startup-measure.ts`. CPU includes the fake server (same process).
import { FakeCluster } from '../../ipam/k8s-pods-fake-cluster';
import { clientFor } from './fake-cluster-kit';
const t0 = performance.now();
const { readStartupSettings } = await import('../../bgpd/agent/k8s-startup');
const load = performance.now() - t0;
const c = await FakeCluster.start();
const api = clientFor(c.api.url);
await api.node('n1', ['198.18.0.1'], { annotations: { 'tortie.dev/as-number': '65001' } });
await api.req('POST', '/apis/tortie.dev/v1/bgpconfigurations', { metadata: { name: 'default' }, spec: { asNumber: 64999 } });
const file = { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 };
const wall: number[] = []; const cpu: number[] = [];
let first = 0;
for (let i = 0; i < 21; i++) {
  const c0 = process.cpuUsage(); const w0 = performance.now();
  await readStartupSettings({ kubeConfig: c.kubeConfig, nodeName: 'n1', file });
  const d = process.cpuUsage(c0);
  if (i === 0) first = performance.now() - w0;
  else { wall.push(performance.now() - w0); cpu.push((d.user + d.system) / 1000); }
}
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(`import of k8s-startup (client-node already loaded, as in kubernetes mode) ${load.toFixed(0)} ms; first call ${first.toFixed(1)} ms wall; then median of 20: wall ${med(wall).toFixed(1)} ms, CPU ${med(cpu).toFixed(1)} ms (client + in-process fake server)`);
await c.close();
