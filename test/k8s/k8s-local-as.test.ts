// bgpd's own AS with the Kubernetes datastore, against the in-process apiserver: read once at start
// (k8s-startup.ts: retried while the API fails, bounded), and a later change is reported and logged by
// the peer source (it takes effect only when bgpd restarts), never applied or ignored silently.
import { describe, expect, it } from 'vitest';
import { readStartupSettings } from '../../bgpd/agent/k8s-startup';
import { kubeConfigFor } from './client';
import { CRD, RecordingReporter, recordingLogger, until, useFakeClusterKit } from './fake-cluster-kit';

const kit = useFakeClusterKit();
const FILE = { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 };

describe('readStartupSettings', () => {
  it('reads the Node annotation and both BGPConfigurations; 404s are absent objects', async () => {
    const c = await kit.cluster();
    expect(await readStartupSettings({ kubeConfig: c.kubeConfig, nodeName: 'node-a', file: FILE })).toEqual({ asNumber: 64512, asFrom: 'config file', listenPort: 179, listenPortFrom: 'config file' });
    await c.req('POST', `${CRD}/bgpconfigurations`, { metadata: { name: 'default' }, spec: { asNumber: 64999 } });
    await c.req('POST', `${CRD}/bgpconfigurations`, { metadata: { name: 'node.node-a' }, spec: { listenPort: 1790 } });
    expect(await readStartupSettings({ kubeConfig: c.kubeConfig, nodeName: 'node-a', file: FILE })).toEqual({ asNumber: 64999, asFrom: 'BGPConfiguration', listenPort: 1790, listenPortFrom: 'BGPConfiguration' });
    await c.node('node-a', ['198.18.0.1'], { annotations: { 'tortie.dev/as-number': '65001' } });
    expect(await readStartupSettings({ kubeConfig: c.kubeConfig, nodeName: 'node-a', file: FILE })).toMatchObject({ asNumber: 65001, asFrom: 'node annotation' });
    expect(await readStartupSettings({ kubeConfig: c.kubeConfig, nodeName: 'node-a', file: FILE, configFileWins: ['asNumber'] })).toMatchObject({ asNumber: 64512, asFrom: 'config file', listenPort: 1790 });
  });

  it('retries while the API answers 503, then succeeds', async () => {
    const c = await kit.cluster();
    await c.req('POST', `${CRD}/bgpconfigurations`, { metadata: { name: 'default' }, spec: { asNumber: 64999 } });
    let failures = 3;
    c.api.setHook(() => (failures-- > 0 ? { status: 503, body: { kind: 'Status', code: 503, message: 'not ready' } } : undefined));
    const logger = recordingLogger();
    const s = await readStartupSettings({ kubeConfig: c.kubeConfig, nodeName: 'node-a', file: FILE, logger, retryMs: 10, timeoutMs: 5000 });
    expect(s.asNumber).toBe(64999);
    expect(logger.warnings.filter((w) => w.includes('retrying')).length).toBeGreaterThanOrEqual(1);
  });

  it('gives up after its time bound when nothing answers, naming what it could not read', async () => {
    const c = await kit.cluster();
    const url = c.api.url;
    await c.api.close();
    const started = Date.now();
    await expect(readStartupSettings({ kubeConfig: kubeConfigFor(url), nodeName: 'node-a', file: FILE, retryMs: 20, timeoutMs: 400 }))
      .rejects.toThrow(/cannot read Node node-a and BGPConfigurations default\/node\.node-a from the Kubernetes API after \d+ attempts/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a kubeconfig the client refuses (plain http without insecure-skip-tls-verify) fails at once, not after the time bound', async () => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'c', server: 'http://127.0.0.1:9' }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
    const started = Date.now();
    await expect(readStartupSettings({ kubeConfig: kc, nodeName: 'node-a', file: FILE, timeoutMs: 10_000 })).rejects.toThrow(/HTTP protocol is not allowed/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the AS changing after start', () => {
  async function setup(annotations: Record<string, string> = {}, extra: { configFileWins?: ['asNumber']; defaults?: { asNumber: number; nodeToNodeMesh: boolean; listenPort: number } } = {}) {
    const c = await kit.cluster();
    await c.node('node-a', ['198.18.0.1'], { annotations });
    await c.node('node-b', ['198.18.0.2']);
    await c.req('POST', `${CRD}/bgpconfigurations`, { metadata: { name: 'default' }, spec: { asNumber: 64999 } });
    const reporter = new RecordingReporter();
    const logger = recordingLogger();
    // bgpd started with AS 64999 (the BGPConfiguration's)
    const a = await kit.agentOn(c, 'node-a', { source: { reporter, logger, localAs: 64999, ...extra } });
    return { c, reporter, logger, speaker: a.speaker };
  }

  it('a new BGPConfiguration asNumber: a problem on default and an error log; the mesh follows, the own AS does not', async () => {
    const t = await setup();
    expect(t.reporter.last.get('BGPConfiguration/default')).toEqual([]);
    await t.c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { asNumber: 65100 } });
    await until(() => (t.reporter.last.get('BGPConfiguration/default') ?? []).length > 0, 'problem on default');
    expect(t.reporter.last.get('BGPConfiguration/default')).toEqual([
      'spec.asNumber: 65100, but bgpd runs with AS 64999 since it started; the AS changes only when bgpd restarts (restart the tortie-node pod)',
    ]);
    expect(t.logger.all.filter((l) => l.startsWith('error ')).length).toBe(1);
    // the agent applies the new peer set after the report: wait for it
    await until(() => t.speaker.peers.get('Mesh_198_18_0_2')?.asNumber === 65100, 'mesh peer expects AS 65100');
    // back to the AS it runs with: valid again
    await t.c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { asNumber: 64999 } });
    await until(() => t.reporter.last.get('BGPConfiguration/default')?.length === 0, 'valid again');
  });

  it('default\'s asNumber removed: the file\'s AS applies from the next start; the problem is on the Node', async () => {
    const t = await setup();
    await t.c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { asNumber: null } });
    await until(() => (t.reporter.last.get('Node/node-a') ?? []).length > 0, 'problem on the Node');
    expect(t.reporter.last.get('Node/node-a')![0]).toMatch(/: not set and BGPConfiguration default sets no other asNumber, so this node's AS is now the config file's 64512, but bgpd runs with AS 64999 since it started/);
  });

  it('an annotation added on its own Node: the problem is on the Node', async () => {
    const t = await setup();
    await t.c.req('PATCH', '/api/v1/nodes/node-a', { metadata: { annotations: { 'tortie.dev/as-number': '65001' } } });
    await until(() => (t.reporter.last.get('Node/node-a') ?? []).length > 0, 'problem on the Node');
    expect(t.reporter.last.get('Node/node-a')![0]).toMatch(/^metadata\.annotations\["tortie\.dev\/as-number"\]: 65001, but bgpd runs with AS 64999 since it started/);
    expect(t.reporter.last.get('BGPConfiguration/default')).toEqual([]);
  });

  it('configFileWins asNumber: the own annotation differing from the file is a problem (the other nodes expect it)', async () => {
    // the file says 64999 and wins: bgpd started with it
    const t = await setup({ 'tortie.dev/as-number': '65001' }, { configFileWins: ['asNumber'], defaults: { asNumber: 64999, nodeToNodeMesh: true, listenPort: 179 } });
    expect(t.reporter.last.get('Node/node-a')![0]).toMatch(/65001, but bgpd runs with the config file's AS 64999 \(kubernetes\.configFileWins lists asNumber\)/);
  });

  it('an annotation that is not a number is reported on that Node', async () => {
    const t = await setup();
    await t.c.req('PATCH', '/api/v1/nodes/node-b', { metadata: { annotations: { 'tortie.dev/as-number': 'AS65001' } } });
    await until(() => (t.reporter.last.get('Node/node-b') ?? []).length > 0, 'problem on node-b');
    expect(t.reporter.last.get('Node/node-b')).toEqual(['metadata.annotations["tortie.dev/as-number"]: expected an AS number 1–4294967295, found "AS65001"; ignored']);
  });
});
