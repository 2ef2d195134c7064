// `ipam gc` in kubernetes mode against the fake apiserver: allocations whose pod is gone are released,
// only after two observations `graceMs` apart; tunnel addresses and pod-less allocations are never touched.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIpamCommand } from '../bgpd/bgpctl/ipam-cmd';
import { gcIpam, parseGraceMs } from './cli/gc';
import { checkIpam } from './cli/check';
import { showIp } from './cli/show';
import { Ipam } from './ipam';
import { FakeCluster } from './k8s-pods-fake-cluster';
import { kubernetesPodLister } from './k8s-pods-client';
import type { PodLister } from './k8s-pods';
import { createPool } from './pools';
import type { KubernetesStore } from './store/kubernetes';

let cluster: FakeCluster;
let ds: KubernetesStore;
let ipam: Ipam;
let pods: PodLister;

beforeEach(async () => {
  cluster = await FakeCluster.start();
  ds = cluster.store();
  await createPool(ds, { name: 'p4', cidr: '10.0.0.0/24', blockSize: 26 });
  ipam = new Ipam(ds);
  // Small pages, so listing follows `continue`.
  pods = await kubernetesPodLister({ kubeConfig: cluster.kubeConfig, pageSize: 2 });
});
afterEach(() => cluster.close());

/** A pod (created first, as the scheduler would) and its CNI ADD on `node`. */
async function podWithAddress(name: string, node = 'n1', namespace = 'default') {
  await cluster.createPod({ namespace, name, nodeName: node });
  const [a] = await ipam.autoAssign({ handleId: `k8s-pod-network.${name}-c1`, node, family: 4, owner: { namespace, pod: name, containerId: `${name}-c1` } });
  return a;
}

const assigned = async (ip: string): Promise<boolean> => (await showIp(ds, ip)).assigned;

describe('gc in kubernetes mode', () => {
  it('keeps allocations of existing pods; releases a deleted pod\'s only after the grace period', async () => {
    const live = await podWithAddress('live');
    const gone = await podWithAddress('gone', 'n2');
    const tunnel = await ipam.assignIp({ ip: '10.0.0.1', handleId: 'ipip-tunnel-addr-n1', node: 'n1', use: 'tunnel', owner: { type: 'ipip' } });
    const [raw] = await ipam.autoAssign({ handleId: 'no-pod-args', node: 'n1', family: 4, owner: { containerId: 'x' } });
    await cluster.deletePod('default', 'gone');

    const t0 = Date.now();
    const run = gcIpam(ds, { pods, graceMs: 800 });
    await new Promise((r) => setTimeout(r, 400));
    expect(await assigned(gone.ip)).toBe(true); // seen once so far: not yet
    const r = await run;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(800);
    expect(r).toMatchObject({ found: 1, podOrphans: 1, released: 1, errors: [] });
    expect(r.after.problems).toEqual([]);
    expect(await assigned(gone.ip)).toBe(false);
    expect(await ipam.res.getHandle('k8s-pod-network.gone-c1')).toBeUndefined();
    for (const ip of [live.ip, tunnel.ip, raw.ip]) expect(await assigned(ip)).toBe(true);
    expect((await checkIpam(ds)).allocations).toBe(3);
  });

  it('acts only on what both observations agree on', async () => {
    const a = await podWithAddress('a');
    const b = await podWithAddress('b');
    await cluster.deletePod('default', 'b');
    // During the grace period: `a` disappears (seen orphaned only once), and `b`'s address is released
    // and handed to a new pod (same address, new allocation sequence).
    // The changes are made once the first observation has listed the pods (not after a fixed delay:
    // on a loaded machine the first observation can take longer than any delay we would pick).
    let firstListed!: () => void;
    const listed = new Promise<void>((r) => (firstListed = r));
    const watched: PodLister = async () => {
      const out = await pods();
      firstListed();
      return out;
    };
    const run = gcIpam(ds, { pods: watched, graceMs: 2000 });
    await listed;
    await cluster.deletePod('default', 'a');
    await ipam.releaseByHandle('k8s-pod-network.b-c1');
    await cluster.createPod({ namespace: 'default', name: 'c', nodeName: 'n1' });
    const c = await ipam.assignIp({ ip: b.ip, handleId: 'k8s-pod-network.c-c1', node: 'n1', owner: { namespace: 'default', pod: 'c' } });
    expect(c.sequence).not.toBe(b.sequence);
    const r = await run;
    expect(r).toMatchObject({ podOrphans: 0, released: 0 });
    expect(await assigned(a.ip)).toBe(true);
    expect((await showIp(ds, b.ip)).handleId).toBe('k8s-pod-network.c-c1');
    // The next run sees `a` orphaned twice.
    expect(await gcIpam(ds, { pods, graceMs: 50 })).toMatchObject({ podOrphans: 1, released: 1 });
    expect(await assigned(a.ip)).toBe(false);
  });

  it('releases the allocation of a pod recreated under the same name (new uid)', async () => {
    // StatefulSet-style: web-0 deleted and recreated, once on another node, once on the same node.
    const moved = await podWithAddress('web-0', 'n1');
    const same = await podWithAddress('web-1', 'n1');
    const pending = await podWithAddress('web-2', 'n1');
    const uids = new Map(cluster.pods().map((p) => [p.metadata.name, p.metadata.uid]));
    for (const n of ['web-0', 'web-1', 'web-2']) await cluster.deletePod('default', n);
    await cluster.createPod({ namespace: 'default', name: 'web-0', nodeName: 'n2' });
    const [newSame] = await ipam.autoAssign({ handleId: 'k8s-pod-network.web-1-c2', node: 'n1', family: 4, owner: { namespace: 'default', pod: 'web-1' } });
    await cluster.createPod({ namespace: 'default', name: 'web-1', nodeName: 'n1', podIPs: [newSame.ip] });
    // Recreated on the same node, no IPs reported yet: nothing tells the incarnations apart — kept.
    await cluster.createPod({ namespace: 'default', name: 'web-2', nodeName: 'n1' });
    expect(cluster.pods().every((p) => p.metadata.uid !== uids.get(p.metadata.name))).toBe(true);

    const r = await gcIpam(ds, { pods, graceMs: 100 });
    expect(r).toMatchObject({ podOrphans: 2, released: 2, errors: [] });
    expect(await assigned(moved.ip)).toBe(false);
    expect(await assigned(same.ip)).toBe(false);
    expect(await assigned(newSame.ip)).toBe(true);
    expect(await assigned(pending.ip)).toBe(true);
  });
});

describe('bgpctl ipam gc --datastore kubernetes:KUBECONFIG', () => {
  const dir = mkdtempSync('/tmp/tortie-ipam-gc-k8s-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists pods through the same kubeconfig and releases a deleted pod\'s address', async () => {
    const live = await podWithAddress('live');
    const gone = await podWithAddress('gone');
    await cluster.deletePod('default', 'gone');
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster: {server: '${cluster.api.url}', insecure-skip-tls-verify: true}\n` +
        `users:\n- name: fake\n  user: {token: test}\ncontexts:\n- name: fake\n  context: {cluster: fake, user: fake}\ncurrent-context: fake\n`,
    );
    let out = '';
    let err = '';
    const code = await runIpamCommand(['gc', '--datastore', `kubernetes:${kubeconfig}`, '--grace', '100ms'], {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: {},
    });
    expect(err).toBe('');
    expect(out).toBe('Found 1 problems (1 addresses of pods that are gone); released 1 IPs, fixed 0 handles and 0 affinities, 0 skipped, 0 errors. 0 problems remain.\n');
    expect(code).toBe(0);
    expect(await assigned(gone.ip)).toBe(false);
    expect(await assigned(live.ip)).toBe(true);
    expect(cluster.api.requests.some((r) => r.startsWith('GET /api/v1/pods?limit=500'))).toBe(true);
  });

  it('parses --grace durations', () => {
    expect([parseGraceMs('500ms'), parseGraceMs('30s'), parseGraceMs('2m'), parseGraceMs('1.5'), parseGraceMs('1h')]).toEqual([500, 30_000, 120_000, 1500, 3_600_000]);
    expect(() => parseGraceMs('soon')).toThrow("--grace takes a duration such as 500ms, 30s or 5m, not 'soon'");
  });
});
