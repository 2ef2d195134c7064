// Invalid objects reported as Events and Valid conditions (bgpd/agent/k8s-report.ts), end to end: the
// Kubernetes peer source in the agent, the reporter, and the fake apiserver with tortie's CRDs registered
// with their status subresource but without their schemas (so objects the schema would reject can exist,
// as on a cluster with an older CRD). Only verified against the fake apiserver.
import { describe, expect, it } from 'vitest';
import { KubernetesProblemReporter } from '../../bgpd/agent/k8s-report';
import type { Logger } from '../../bgpd/session/peer-config';
import { kubeConfigFor } from './client';
import { FakeApiServer, type KubeObject } from './fake-apiserver';
import { clientFor, CRD, recordingLogger, until, useFakeClusterKit, validCondition } from './fake-cluster-kit';
import type { ApiClient } from './fake-cluster-kit';
import { readCrds } from './manifests';

const EVENTS = { group: '', version: 'v1', plural: 'events' };
const PEERS = { group: 'tortie.dev', version: 'v1', plural: 'bgppeers' };

const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

const kit = useFakeClusterKit();

type Api = FakeApiServer & ApiClient;

async function server(): Promise<Api> {
  const api = await FakeApiServer.start();
  kit.defer(() => api.close());
  for (const c of readCrds()) api.register({ group: c.group, version: 'v1', plural: c.plural, kind: c.kind, namespaced: false }, { status: c.status });
  return Object.assign(api, clientFor(api.url));
}

async function agentOn(api: Api, name: string, log: Logger = recordingLogger()) {
  const kubeConfig = kubeConfigFor(api.url);
  const reporter = new KubernetesProblemReporter({ kubeConfig, host: name, logger: log });
  // deferred before the agent's stop, so it runs after it
  kit.defer(() => reporter.close());
  const { speaker } = await kit.agentOn({ kubeConfig }, name, { source: { logger: log, reporter } });
  return { speaker, reporter };
}

const eventsAbout = (api: Api, name: string) =>
  api.objects(EVENTS).filter((e) => (e.involvedObject as { name: string }).name === name) as Array<KubeObject & Record<string, any>>;
const statusWrites = (api: Api, name: string) => api.requests.filter((r) => r.startsWith(`PATCH ${CRD}/bgppeers/${name}/status`)).length;

describe('KubernetesProblemReporter with the agent', () => {
  it('an invalid BGPPeer gets Valid=False and one Event (not one per recomputation); fixing it flips Valid to True', async () => {
    const api = await server();
    await api.node('node-a', ['198.18.0.1']);
    await api.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.9.1', asNumber: 65001 } });
    await api.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'broken' }, spec: { peerIP: '198.18.9.2' } });
    const log = recordingLogger();
    const { speaker } = await agentOn(api, 'node-a', log);
    expect([...speaker.peers.keys()]).toEqual(['Global_198_18_9_1']);

    await until(() => validCondition(api, PEERS, 'broken')?.status === 'False', 'Valid=False on broken');
    const cond = validCondition(api, PEERS, 'broken')!;
    const broken = api.objects(PEERS).find((o) => o.metadata.name === 'broken')!;
    expect(cond).toMatchObject({ reason: 'InvalidSpec', observedGeneration: 1 });
    expect(cond.message).toMatch(/^spec\b.*peerIP and asNumber/);
    expect(cond.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // a valid object that never had a condition is not written to
    expect(validCondition(api, PEERS, 'tor')).toBeUndefined();

    // many recomputations (nodes joining) with the same problem: still one Event, one condition write, one log line
    for (let i = 2; i <= 6; i++) await api.node(`node-${i}`, [`198.18.0.${i}`]);
    await until(() => speaker.peers.size === 6, 'five mesh peers');
    await settle();
    const events = eventsAbout(api, 'broken');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'Warning',
      reason: 'InvalidSpec',
      count: 1,
      source: { component: 'tortie-bgpd', host: 'node-a' },
      involvedObject: { kind: 'BGPPeer', apiVersion: 'tortie.dev/v1', name: 'broken', uid: broken.metadata.uid },
    });
    expect(events[0].metadata.namespace).toBe('default');
    expect(events[0].message).toContain('BGPPeer broken: spec');
    expect(statusWrites(api, 'broken')).toBe(1);
    expect(log.warnings.filter((w) => w.startsWith('BGPPeer broken:'))).toHaveLength(1);
    expect(api.objects(PEERS).find((o) => o.metadata.name === 'broken')!.spec).toEqual({ peerIP: '198.18.9.2' });

    // fixed: condition True with the new generation, the session comes, tor's session was never touched
    const tor = speaker.peers.get('Global_198_18_9_1');
    await api.req('PATCH', `${CRD}/bgppeers/broken`, { spec: { asNumber: 65002 } });
    await until(() => validCondition(api, PEERS, 'broken')?.status === 'True', 'Valid=True after the fix');
    expect(validCondition(api, PEERS, 'broken')).toMatchObject({ reason: 'Valid', observedGeneration: 2 });
    expect(Date.parse(validCondition(api, PEERS, 'broken')!.lastTransitionTime as string)).toBeGreaterThanOrEqual(Date.parse(cond.lastTransitionTime as string));
    await until(() => speaker.peers.has('Global_198_18_9_2'), 'the fixed peer gets its session');
    expect(speaker.peers.get('Global_198_18_9_1')).toBe(tor);
    // the status writes (new resourceVersions) never re-create a session
    await settle();
    expect(speaker.calls.filter((c) => c.includes('Global_'))).toEqual(['add Global_198_18_9_1', 'add Global_198_18_9_2']);
    expect(log.all).toContain('info BGPPeer broken is valid again');
    expect(eventsAbout(api, 'broken')).toHaveLength(1);
  });

  it('a Node without an address gets an Event naming it, and its status is never patched', async () => {
    const api = await server();
    await api.node('node-a', ['198.18.0.1']);
    await api.node('node-x', []);
    const log = recordingLogger();
    await agentOn(api, 'node-a', log);
    await until(() => eventsAbout(api, 'node-x').length === 1, 'an Event about node-x');
    const [ev] = eventsAbout(api, 'node-x');
    // uid = the node name, as kubelet posts Node events
    expect(ev).toMatchObject({ reason: 'InvalidSpec', type: 'Warning', involvedObject: { kind: 'Node', apiVersion: 'v1', name: 'node-x', uid: 'node-x' } });
    expect(ev.message).toMatch(/node-x.*no usable IPv4 address/);
    expect(log.warnings.filter((w) => w.startsWith('Node node-x: no usable IPv4 address'))).toHaveLength(1);
    expect(api.requests.filter((r) => r.startsWith('PATCH /api/v1/nodes') || r.startsWith('PUT /api/v1/nodes'))).toEqual([]);
    expect(eventsAbout(api, 'node-a')).toEqual([]);
  });

  it('without RBAC (403) it logs once per kind of write, keeps its sessions and does not retry on every change', async () => {
    const api = await server();
    api.setHook(({ method, path }) =>
      method !== 'GET' && (path.endsWith('/status') || path.includes('/events'))
        ? { status: 403, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'forbidden' } }
        : undefined,
    );
    await api.node('node-a', ['198.18.0.1']);
    await api.node('node-b', ['198.18.0.2']);
    await api.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'broken' }, spec: { asNumber: 65001 } });
    const log = recordingLogger();
    const { speaker, reporter } = await agentOn(api, 'node-a', log);
    expect([...speaker.peers.keys()]).toEqual(['Mesh_198_18_0_2']);
    const mesh = speaker.peers.get('Mesh_198_18_0_2');
    await until(() => log.warnings.filter((w) => w.includes('403')).length === 2, 'one 403 warning for status, one for events');
    const writes = (): number => api.requests.filter((r) => !r.startsWith('GET') && (r.includes('/status') || r.includes('/events'))).length;
    const before = writes();
    // more problems and more recomputations
    await api.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'broken-2' }, spec: { asNumber: 65002 } });
    await api.node('node-c', ['198.18.0.3']);
    await until(() => speaker.peers.size === 2, 'c joins');
    await settle();
    await reporter.idle();
    expect(writes()).toBe(before);
    expect(log.warnings.filter((w) => w.includes('403'))).toHaveLength(2);
    expect(log.warnings.filter((w) => w.startsWith('BGPPeer broken-2:'))).toHaveLength(1);
    expect(speaker.peers.get('Mesh_198_18_0_2')).toBe(mesh);
  });

  it('two nodes reporting the same invalid object do not flap its condition and make one Event', async () => {
    const api = await server();
    await api.node('node-a', ['198.18.0.1']);
    await api.node('node-b', ['198.18.0.2']);
    await api.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'broken' }, spec: { peerIP: '198.18.9.2' } });
    const a = await agentOn(api, 'node-a');
    const b = await agentOn(api, 'node-b');
    await until(() => validCondition(api, PEERS, 'broken')?.status === 'False', 'Valid=False');
    await Promise.all([a.reporter.idle(), b.reporter.idle()]);
    const first = validCondition(api, PEERS, 'broken');
    const rv = api.objects(PEERS).find((o) => o.metadata.name === 'broken')!.metadata.resourceVersion;
    // churn that makes both recompute several times
    for (let i = 3; i <= 5; i++) await api.node(`node-${i}`, [`198.18.0.${i}`]);
    await until(() => a.speaker.peers.size === 4 && b.speaker.peers.size === 4, 'both see the new nodes');
    await settle();
    await Promise.all([a.reporter.idle(), b.reporter.idle()]);
    expect(validCondition(api, PEERS, 'broken')).toEqual(first);
    expect(api.objects(PEERS).find((o) => o.metadata.name === 'broken')!.metadata.resourceVersion).toBe(rv);
    // at most one write each (a race ends in a 409 for the loser, not in a second write)
    expect(statusWrites(api, 'broken')).toBeLessThanOrEqual(2);
    // one Event in the cluster: both nodes name it the same (object + problems), the second create gets 409
    const evs = eventsAbout(api, 'broken');
    expect(evs).toHaveLength(1);
    expect(['node-a', 'node-b']).toContain(evs[0].source.host);
    expect(api.requests.filter((r) => r.startsWith('POST /api/v1/namespaces/default/events')).length).toBe(2);
  });
});
