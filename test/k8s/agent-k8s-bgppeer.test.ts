// Explicit BGPPeer settings through the agent's Kubernetes source, against the in-process apiserver:
// timers / GR / passive / allowas-in, passwords from Secrets, BGPFilters, and problems — and every
// change re-creates only the session it concerns.
import { describe, expect, it } from 'vitest';
import { FakeSpeaker } from '../../bgpd/agent/test-fakes';
import type { SpeakerPeer } from '../../bgpd/speaker/peer-map';
import { CRD, RecordingReporter, until, useFakeClusterKit } from './fake-cluster-kit';

const kit = useFakeClusterKit();

const SECRETS = '/api/v1/namespaces/tortie-system/secrets';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A speaker that can apply new policies to a running session, as the real Speaker's refreshPeer does. */
class RefreshingSpeaker extends FakeSpeaker {
  refreshPeer(peer: SpeakerPeer): void {
    this.peers.set(peer.name, peer);
    this.calls.push(`refresh ${peer.name}`);
  }
}

/** node-a and node-b in rack r1; `start()` runs node-a's agent once the test has created its objects. */
async function setup(speaker = new FakeSpeaker()) {
  const c = await kit.cluster();
  for (const [name, ip] of [['node-a', '198.18.0.1'], ['node-b', '198.18.0.2']]) await c.node(name, [ip], { labels: { rack: 'r1' } });
  const reporter = new RecordingReporter();
  const start = async (): Promise<void> => {
    await kit.agentOn(c, 'node-a', { speaker, source: { reporter, secretsNamespace: 'tortie-system', meshHoldTime: 9 } });
  };
  return { req: c.req, speaker, problems: () => reporter.last, start, cluster: c };
}

describe('BGPPeer settings in the Kubernetes source', () => {
  it('holdTime, keepaliveTime, maxRestartTime, passive and allowas-in land in that SpeakerPeer only', async () => {
    const t = await setup();
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.9.1', asNumber: 65001, holdTime: '1m30s', keepaliveTime: '30s', maxRestartTime: '300s', passive: true, numAllowedLocalASNumbers: 1 } });
    await t.start();
    expect(t.speaker.peers.get('Global_198_18_9_1')).toMatchObject({ asNumber: 65001, holdTime: 90, keepaliveTime: 30, passive: true, allowAsIn: 1, gracefulRestart: { enabled: true, restartTime: 300 } });
    // the mesh keeps the node's defaults (identity(): hold 9, keepalive 3, GR 120)
    expect(t.speaker.peers.get('Mesh_198_18_0_2')).toMatchObject({ holdTime: 9, keepaliveTime: 3, allowAsIn: 0, gracefulRestart: { restartTime: 120 } });
    expect(t.problems().get('BGPPeer/tor')).toEqual([]);

    // changing one field re-creates that session and nothing else
    const mesh = t.speaker.peers.get('Mesh_198_18_0_2');
    t.speaker.calls.length = 0;
    await t.req('PATCH', `${CRD}/bgppeers/tor`, { spec: { holdTime: '30s', keepaliveTime: null } });
    await until(() => t.speaker.peers.get('Global_198_18_9_1')?.holdTime === 30, 'new hold time');
    expect(t.speaker.calls).toEqual(['remove Global_198_18_9_1', 'add Global_198_18_9_1']);
    expect(t.speaker.peers.get('Global_198_18_9_1')).toMatchObject({ keepaliveTime: 10 });
    expect(t.speaker.peers.get('Mesh_198_18_0_2')).toBe(mesh);
  });

  it('password: no Secret yet → no session and a problem; Secret created → session with the key; rotated → only it re-created', async () => {
    const t = await setup();
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.9.1', asNumber: 65001, password: { secretKeyRef: { name: 'bgp-tor', key: 'pw' } } } });
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'rr' }, spec: { peerIP: '198.18.9.2', asNumber: 64512 } });
    await t.start();
    expect([...t.speaker.peers.keys()].sort()).toEqual(['Global_198_18_9_2', 'Mesh_198_18_0_2']);
    expect(t.problems().get('BGPPeer/tor')).toEqual(['spec.password.secretKeyRef: Secret tortie-system/bgp-tor not found; peer not configured']);
    const untouched = [...t.speaker.peers.values()];

    await t.req('POST', SECRETS, { metadata: { name: 'bgp-tor' }, data: { pw: b64('first-key') } });
    await until(() => t.speaker.peers.has('Global_198_18_9_1'), 'tor appears once its Secret exists');
    expect(t.speaker.peers.get('Global_198_18_9_1')!.password).toBe('first-key');
    expect(t.problems().get('BGPPeer/tor')).toEqual([]);

    t.speaker.calls.length = 0;
    await t.req('PATCH', `${SECRETS}/bgp-tor`, { data: { pw: b64('second-key') } });
    await until(() => t.speaker.peers.get('Global_198_18_9_1')?.password === 'second-key', 'rotated key');
    expect(t.speaker.calls).toEqual(['remove Global_198_18_9_1', 'add Global_198_18_9_1']);
    for (const p of untouched) expect(t.speaker.peers.get(p.name)).toBe(p);

    // an unrelated Secret changing touches nothing
    t.speaker.calls.length = 0;
    await t.req('POST', SECRETS, { metadata: { name: 'other' }, data: { x: b64('y') } });
    await t.req('PATCH', `${CRD}/bgppeers/rr`, { metadata: { labels: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 100));
    expect(t.speaker.calls).toEqual([]);

    // a key too long: the session goes, and the problem says why without the value
    await t.req('PATCH', `${SECRETS}/bgp-tor`, { data: { pw: b64('k'.repeat(81)) } });
    await until(() => !t.speaker.peers.has('Global_198_18_9_1'), 'tor removed');
    expect(t.problems().get('BGPPeer/tor')![0]).toMatch(/81 bytes, TCP-MD5 allows at most 80/);
    expect(JSON.stringify([...t.problems()])).not.toContain('kkkkkkkk');
  });

  it('filters: an unknown BGPFilter keeps the peer out; created → peer with its policies; changed → only that peer re-created', async () => {
    const t = await setup();
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.9.1', asNumber: 65001, filters: ['no-default'] } });
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'rr' }, spec: { peerIP: '198.18.9.2', asNumber: 64512 } });
    await t.start();
    expect(t.speaker.peers.has('Global_198_18_9_1')).toBe(false);
    expect(t.problems().get('BGPPeer/tor')).toEqual(['spec.filters[0]: BGPFilter "no-default" does not exist; peer not configured']);
    const rr = t.speaker.peers.get('Global_198_18_9_2');

    await t.req('POST', `${CRD}/bgpfilters`, { metadata: { name: 'no-default' }, spec: { importV4: [{ cidr: '0.0.0.0/0', matchOperator: 'Equal', action: 'Reject' }] } });
    await until(() => t.speaker.peers.has('Global_198_18_9_1'), 'tor appears with its filter');
    const tor = t.speaker.peers.get('Global_198_18_9_1')!;
    expect(tor.importPolicy).toEqual(['BGPFilter/no-default/importV4']);
    expect(tor.exportPolicy).toEqual([]);
    expect(tor.policies!['BGPFilter/no-default/importV4'].rules[0]).toMatchObject({ action: 'reject', match: { prefixList: [{ prefix: '0.0.0.0/0', ge: 0, le: 0 }] } });
    expect(t.problems().get('BGPFilter/no-default')).toEqual([]);

    t.speaker.calls.length = 0;
    await t.req('PATCH', `${CRD}/bgpfilters/no-default`, { spec: { exportV4: [{ source: 'RemotePeers', action: 'Reject' }] } });
    await until(() => (t.speaker.peers.get('Global_198_18_9_1')?.exportPolicy.length ?? 0) === 1, 'export filter applied');
    expect(t.speaker.calls).toEqual(['remove Global_198_18_9_1', 'add Global_198_18_9_1']);
    expect(t.speaker.peers.get('Global_198_18_9_2')).toBe(rr);

    // the filter turns invalid (a Calico field tortie cannot honour): the peer goes, rr stays
    await t.req('PATCH', `${CRD}/bgpfilters/no-default`, { spec: { exportV4: [{ interface: 'eth*', action: 'Reject' }] } });
    await until(() => !t.speaker.peers.has('Global_198_18_9_1'), 'tor removed with its filter invalid');
    expect(t.problems().get('BGPFilter/no-default')).toEqual(['spec.exportV4[0].interface: not supported by tortie (supported: cidr, matchOperator, prefixLength, source, action)']);
    expect(t.problems().get('BGPPeer/tor')![0]).toMatch(/BGPFilter "no-default" is invalid/);
    expect(t.speaker.peers.get('Global_198_18_9_2')).toBe(rr);
  });

  it('bad objects are reported and skipped; a Kubernetes nodeSelector selects; other peers are untouched', async () => {
    const t = await setup();
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'good' }, spec: { peerIP: '198.18.9.1', asNumber: 65001, nodeSelector: 'rack in (r1,r2),!spot' } });
    await t.start();
    expect(t.speaker.peers.has('Node_198_18_9_1')).toBe(true);
    const before = new Map(t.speaker.peers);
    t.speaker.calls.length = 0;
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'short-hold' }, spec: { peerIP: '198.18.9.3', asNumber: 65003, holdTime: '2s' } });
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'bad-selector' }, spec: { peerIP: '198.18.9.4', asNumber: 65004, nodeSelector: 'rack in (r1' } });
    await until(() => t.problems().get('BGPPeer/bad-selector') !== undefined && t.problems().get('BGPPeer/short-hold') !== undefined, 'problems reported');
    expect(t.problems().get('BGPPeer/short-hold')).toEqual(['spec.holdTime: expected a duration of 0s or 3s–65535s in whole seconds, found "2s"']);
    expect(t.problems().get('BGPPeer/bad-selector')![0]).toMatch(/^spec\.nodeSelector: cannot parse "rack in \(r1" as a Kubernetes label selector/);
    expect(t.problems().get('BGPPeer/good')).toEqual([]);
    expect(t.speaker.calls).toEqual([]);
    for (const [name, p] of before) expect(t.speaker.peers.get(name)).toBe(p);
  });

  it('a peerIP the CRD pattern lets through but that is no address:port is reported and skipped; fixed → peer appears', async () => {
    const t = await setup();
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'good' }, spec: { peerIP: '198.18.9.1', asNumber: 65001 } });
    await t.start();
    const before = new Map(t.speaker.peers);
    t.speaker.calls.length = 0;
    // both match deploy/crds/bgppeers.yaml's pattern: five port digits, and colons that make no IPv6 address
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'bad-port' }, spec: { peerIP: '198.18.9.5:99999', asNumber: 65005 } });
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'not-v6' }, spec: { peerIP: '1:2:3', asNumber: 65006 } });
    await until(() => t.problems().get('BGPPeer/bad-port') !== undefined && t.problems().get('BGPPeer/not-v6') !== undefined, 'problems reported');
    expect(t.problems().get('BGPPeer/bad-port')).toEqual(['spec.peerIP: expected a port 1–65535 after the address, found "198.18.9.5:99999"']);
    expect(t.problems().get('BGPPeer/not-v6')![0]).toMatch(/^spec\.peerIP: expected an IPv4 or IPv6 address.*, found "1:2:3"$/);
    expect(t.problems().get('BGPPeer/good')).toEqual([]);
    expect(t.speaker.calls).toEqual([]);
    for (const [name, p] of before) expect(t.speaker.peers.get(name)).toBe(p);

    await t.req('PATCH', `${CRD}/bgppeers/bad-port`, { spec: { peerIP: '198.18.9.5:1179' } });
    await until(() => t.speaker.peers.has('Global_198_18_9_5_port_1179'), 'fixed peer appears');
    expect(t.problems().get('BGPPeer/bad-port')).toEqual([]);
    expect(t.speaker.calls).toEqual(['add Global_198_18_9_5_port_1179']);
  });

  it('unreadable Secrets (no RBAC) or BGPFilters (no CRD) at start: the rest runs, those peers wait with a problem, a retry brings them', async () => {
    const t = await setup();
    await t.req('POST', SECRETS, { metadata: { name: 'bgp-tor' }, data: { pw: b64('k1') } });
    await t.req('POST', `${CRD}/bgpfilters`, { metadata: { name: 'f' }, spec: { exportV4: [{ action: 'Reject' }] } });
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.9.1', asNumber: 65001, password: { secretKeyRef: { name: 'bgp-tor', key: 'pw' } } } });
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'filtered' }, spec: { peerIP: '198.18.9.3', asNumber: 65003, filters: ['f'] } });
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'rr' }, spec: { peerIP: '198.18.9.2', asNumber: 64512 } });
    const refused = (path: string): boolean => path.startsWith('/api/v1/namespaces/tortie-system/secrets') || path.startsWith(`${CRD}/bgpfilters`);
    t.cluster.api.setHook(({ path }) => (refused(path) ? { status: 403, body: { kind: 'Status', code: 403, reason: 'Forbidden' } } : undefined));
    await t.start();
    expect([...t.speaker.peers.keys()].sort()).toEqual(['Global_198_18_9_2', 'Mesh_198_18_0_2']);
    expect(t.problems().get('BGPPeer/tor')).toEqual(['spec.password.secretKeyRef: the Secrets of namespace tortie-system cannot be listed yet (RBAC: get/list/watch secrets there); peer not configured']);
    expect(t.problems().get('BGPPeer/filtered')).toEqual(['spec.filters: BGPFilters cannot be listed yet (is the bgpfilters.tortie.dev CRD installed?); peer not configured']);
    // retries fail for a while (the rejected restart must be retried again, not dropped)
    const lists = (): number => t.cluster.api.requests.filter((r) => r.startsWith('GET /api/v1/namespaces/tortie-system/secrets') && !r.includes('watch=true')).length;
    const before = lists();
    await until(() => lists() >= before + 2, 'secrets list retried twice');
    t.speaker.calls.length = 0;
    t.cluster.api.setHook(undefined);
    await until(() => t.speaker.peers.has('Global_198_18_9_1') && t.speaker.peers.has('Global_198_18_9_3'), 'both peers once readable');
    expect(t.speaker.peers.get('Global_198_18_9_1')!.password).toBe('k1');
    expect(t.speaker.calls.sort()).toEqual(['add Global_198_18_9_1', 'add Global_198_18_9_3']);
  });

  it('with a speaker that can refresh: an export-only filter change keeps the session, an import change re-creates it', async () => {
    const t = await setup(new RefreshingSpeaker());
    await t.req('POST', `${CRD}/bgpfilters`, { metadata: { name: 'f' }, spec: { importV4: [{ cidr: '0.0.0.0/0', matchOperator: 'Equal', action: 'Reject' }] } });
    await t.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.9.1', asNumber: 65001, filters: ['f'] } });
    await t.start();
    expect(t.speaker.peers.get('Global_198_18_9_1')!.exportPolicy).toEqual([]);
    t.speaker.calls.length = 0;
    await t.req('PATCH', `${CRD}/bgpfilters/f`, { spec: { exportV4: [{ source: 'RemotePeers', action: 'Reject' }] } });
    await until(() => t.speaker.peers.get('Global_198_18_9_1')!.exportPolicy.length === 1, 'export filter applied');
    expect(t.speaker.calls).toEqual(['refresh Global_198_18_9_1']);
    expect(t.speaker.peers.get('Global_198_18_9_1')!.policies!['BGPFilter/f/exportV4']).toBeDefined();

    t.speaker.calls.length = 0;
    await t.req('PATCH', `${CRD}/bgpfilters/f`, { spec: { importV4: [{ cidr: '0.0.0.0/0', matchOperator: 'Equal', action: 'Accept' }] } });
    await until(() => t.speaker.calls.length >= 2, 'import change handled');
    expect(t.speaker.calls).toEqual(['remove Global_198_18_9_1', 'add Global_198_18_9_1']);
    expect(t.speaker.peers.get('Global_198_18_9_1')!.policies!['BGPFilter/f/importV4'].rules[0].action).toBe('accept');
  });
});
