// BGPConfiguration through the agent against the in-process apiserver: service CIDRs originated and
// withdrawn without touching sessions, communities on originated prefixes, node.<name> overrides,
// kubernetes.configFileWins, config-file peers next to BGPPeers, the IPv6 mesh, problems reported.
import { describe, expect, it } from 'vitest';
import type { KubernetesClusterSourceOptions } from '../../bgpd/agent/k8s-source';
import { FakeProgrammer, FakeSpeaker, identity } from '../../bgpd/agent/test-fakes';
import { prefixKey } from '../../bgpd/rib/prefix-key';
import { Afi } from '../../bgpd/wire/types';
import { Ipam } from '../../ipam/ipam';
import { CRD, RecordingReporter, recordingLogger, until, useFakeClusterKit } from './fake-cluster-kit';
import type { KitCluster } from './fake-cluster-kit';

const kit = useFakeClusterKit();

async function cluster() {
  const c = await kit.cluster();
  const bgpConfig = (name: string, spec: Record<string, unknown>) => c.req('POST', `${CRD}/bgpconfigurations`, { metadata: { name }, spec });
  return Object.assign(c, { bgpConfig });
}

/** Every agent here has a programmer and a pod pool: service ranges decide what is programmed and originated. */
async function agentOn(c: KitCluster, name: string, extra: Partial<KubernetesClusterSourceOptions> & { speaker?: FakeSpeaker } = {}) {
  const { speaker, ...source } = extra;
  const programmer = new FakeProgrammer();
  const a = await kit.agentOn(c, name, { speaker, source, programmer, pools: [{ cidr: '10.244.0.0/16', blockSize: 26 }] });
  return { ...a, programmer, ipam: new Ipam(a.ds) };
}

describe('BGPConfiguration in the agent', () => {
  it('service CIDRs: added → originated, removed → withdrawn, no session touched; excluded nodes skip external IPs', async () => {
    const c = await cluster();
    await c.node('node-a', ['198.18.0.1']);
    await c.node('node-b', ['198.18.0.2'], { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } });
    await c.bgpConfig('default', { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] });
    const a = await agentOn(c, 'node-a');
    const b = await agentOn(c, 'node-b');
    expect([...a.speaker.originated]).toEqual(['10.96.0.0/12']);
    expect([...a.speaker.peers.keys()]).toEqual(['Mesh_198_18_0_2']);

    a.speaker.calls.length = 0;
    await c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }, { cidr: 'fd00:96::/108' }], serviceExternalIPs: [{ cidr: '198.18.100.0/24' }] } });
    await until(() => a.speaker.originated.has('198.18.100.0/24') && a.speaker.originated.has('fd00:96::/108'), 'new service CIDRs on a');
    await until(() => b.speaker.originated.has('fd00:96::/108'), 'cluster IPs on b');
    expect(b.speaker.originated.has('198.18.100.0/24')).toBe(false);
    expect(a.speaker.calls.sort()).toEqual(['originate 198.18.100.0/24', 'originate fd00:96::/108']);

    a.speaker.calls.length = 0;
    await c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }], serviceExternalIPs: null } });
    await until(() => !a.speaker.originated.has('198.18.100.0/24'), 'external IPs withdrawn');
    expect(a.speaker.calls.sort()).toEqual(['withdraw 198.18.100.0/24', 'withdraw fd00:96::/108']);
    expect([...a.speaker.originated]).toEqual(['10.96.0.0/12']);
  });

  it('routes inside service ranges learned from peers are not programmed; others are', async () => {
    const c = await cluster();
    await c.node('node-a', ['198.18.0.1']);
    await c.bgpConfig('default', { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] });
    const a = await agentOn(c, 'node-a');
    const nh = { local: false, nextHops: [{ address: '198.18.0.2', peer: '198.18.0.2', routerId: '198.18.0.2' }] };
    a.speaker.emit([
      { afi: Afi.IPv4, prefix: prefixKey(Afi.IPv4, '10.96.0.0/12'), best: nh },
      { afi: Afi.IPv4, prefix: prefixKey(Afi.IPv4, '10.96.7.7/32'), best: nh },
      { afi: Afi.IPv4, prefix: prefixKey(Afi.IPv4, '10.244.9.0/26'), best: nh },
    ]);
    expect([...a.programmer.remotes.keys()]).toEqual(['10.244.9.0/26']);
    expect(a.agent.stats().remoteRoutes).toBe(1);
    // the range removed from the BGPConfiguration: its known routes are programmed after all
    await c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { serviceClusterIPs: null } });
    await until(() => a.programmer.remotes.size === 3, 'service routes programmed once no longer a service range');
    expect(a.agent.stats().remoteRoutes).toBe(3);
  });

  it('attaches communities to pod blocks and service CIDRs inside a prefixAdvertisements cidr; an undefined name is a problem', async () => {
    const c = await cluster();
    await c.node('node-a', ['198.18.0.1']);
    await c.bgpConfig('default', {
      serviceClusterIPs: [{ cidr: '10.96.0.0/12' }],
      communities: [{ name: 'pods', value: '64512:100' }, { name: 'big', value: '64512:1:2' }],
      prefixAdvertisements: [{ cidr: '10.244.0.0/16', communities: ['pods', 'big'] }, { cidr: '10.96.0.0/12', communities: ['65000:7', 'missing'] }],
    });
    const reporter = new RecordingReporter();
    const a = await agentOn(c, 'node-a', { reporter });
    const [ip] = await a.ipam.autoAssign({ handleId: 'pod1', node: 'node-a', family: 4 });
    await until(() => a.speaker.originated.has(ip.block), 'block originated');
    expect(a.speaker.originAttrs.get(ip.block)).toEqual({ communities: [64512 * 65536 + 100], largeCommunities: [{ global: 64512, local1: 1, local2: 2 }] });
    expect(a.speaker.originAttrs.get('10.96.0.0/12')).toEqual({ communities: [65000 * 65536 + 7] });
    expect(reporter.last.get('BGPConfiguration/default')).toEqual(['spec.prefixAdvertisements[1].communities[1]: "missing" is neither a community defined in spec.communities nor a value aa:nn / aa:nn:mm; ignored']);

    // the definition changes: the block is re-announced with the new value, nothing withdrawn
    a.speaker.calls.length = 0;
    await c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { communities: [{ name: 'pods', value: '64512:200' }, { name: 'big', value: '64512:1:2' }, { name: 'missing', value: '1:1' }] } });
    await until(() => a.speaker.originAttrs.get(ip.block)?.communities?.[0] === 64512 * 65536 + 200, 'new community on the block');
    await until(() => reporter.last.get('BGPConfiguration/default')?.length === 0, 'problem cleared');
    expect(a.speaker.calls.filter((x) => x.startsWith('withdraw'))).toEqual([]);
  });

  it('node.<name> overrides only that node: its listen port (others dial it there) and its communities; default-only fields there are problems', async () => {
    const c = await cluster();
    await c.node('node-a', ['198.18.0.1']);
    await c.node('node-b', ['198.18.0.2']);
    await c.node('node-c', ['198.18.0.3']);
    await c.bgpConfig('default', { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }], prefixAdvertisements: [{ cidr: '10.96.0.0/12', communities: ['64512:1'] }] });
    const reporter = new RecordingReporter();
    const a = await agentOn(c, 'node-a', { reporter });
    const b = await agentOn(c, 'node-b');
    const bMesh = b.speaker.peers.get('Mesh_198_18_0_3');

    b.speaker.calls.length = 0;
    await c.bgpConfig('node.node-a', { listenPort: 1179, asNumber: 65001, prefixAdvertisements: [{ cidr: '10.96.0.0/12', communities: ['64512:2'] }] });
    await until(() => b.speaker.peers.has('Mesh_198_18_0_1_port_1179'), 'b dials a on 1179');
    expect(b.speaker.peers.get('Mesh_198_18_0_1_port_1179')).toMatchObject({ port: 1179, asNumber: 64512 });
    // b's session to c is the same object: not restarted
    expect(b.speaker.peers.get('Mesh_198_18_0_3')).toBe(bMesh);
    expect(b.speaker.calls.sort()).toEqual(['add Mesh_198_18_0_1_port_1179', 'remove Mesh_198_18_0_1']);
    await until(() => a.speaker.originAttrs.get('10.96.0.0/12')?.communities?.[0] === 64512 * 65536 + 2, "a's own community");
    expect(b.speaker.originAttrs.get('10.96.0.0/12')).toEqual({ communities: [64512 * 65536 + 1] });
    // a still dials b and c on 179, with the default AS (asNumber in a node object is ignored)
    expect([...a.speaker.peers.keys()].sort()).toEqual(['Mesh_198_18_0_2', 'Mesh_198_18_0_3']);
    expect(a.speaker.peers.get('Mesh_198_18_0_2')).toMatchObject({ asNumber: 64512 });
    await until(() => reporter.last.has('BGPConfiguration/node.node-a'), 'node object reported');
    expect(reporter.last.get('BGPConfiguration/node.node-a')).toEqual(['spec.asNumber: only valid in the "default" BGPConfiguration, found in "node.node-a"; ignored']);
  });

  it('kubernetes.configFileWins keeps the file value; nodeMeshMaxRestartTime sets the mesh GR time', async () => {
    const c = await cluster();
    await c.node('node-a', ['198.18.0.1']);
    await c.node('node-b', ['198.18.0.2']);
    await c.bgpConfig('default', { asNumber: 65000, listenPort: 1179, nodeMeshMaxRestartTime: '300s' });
    const crdWins = await agentOn(c, 'node-a');
    expect(crdWins.speaker.peers.get('Mesh_198_18_0_2_port_1179')).toMatchObject({ asNumber: 65000, port: 1179, gracefulRestart: { enabled: true, restartTime: 300 } });
    const fileWins = await agentOn(c, 'node-b', { configFileWins: ['asNumber', 'listenPort', 'nodeMeshMaxRestartTime'] });
    expect([...fileWins.speaker.peers.keys()]).toEqual(['Mesh_198_18_0_1']);
    expect(fileWins.speaker.peers.get('Mesh_198_18_0_1')).toMatchObject({ asNumber: 64512, port: 179, gracefulRestart: { restartTime: 120 } });
  });

  it("config-file peers keep running next to BGPPeers; a BGPPeer at a config peer's address is left out", async () => {
    const c = await cluster();
    await c.node('node-a', ['198.18.0.1']);
    await c.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.9.1', asNumber: 65001 } });
    await c.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'dup' }, spec: { peerIP: '198.18.9.2', asNumber: 65002 } });
    // what the daemon does with `peers:` before the agent starts
    const speaker = new FakeSpeaker();
    speaker.addPeer({ ...identity(), name: 'yaml-tor', address: '198.18.9.2', asNumber: 65002 } as never);
    const logger = recordingLogger();
    const { warnings } = logger;
    const a = await agentOn(c, 'node-a', { speaker, configPeers: [{ name: 'yaml-tor', address: '198.18.9.2' }], logger });
    expect([...a.speaker.peers.keys()].sort()).toEqual(['Global_198_18_9_1', 'yaml-tor']);
    expect(warnings.some((w) => w.includes('Global_198_18_9_2'))).toBe(true);
    // without a reporter, BGPConfiguration problems go to the log (once)
    await c.bgpConfig('node.node-a', { asNumber: 65001 });
    await until(() => warnings.some((w) => w.startsWith('BGPConfiguration node.node-a: spec.asNumber: only valid')), 'problem logged');
    await c.req('PATCH', '/api/v1/nodes/node-a', { metadata: { labels: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 50));
    expect(warnings.filter((w) => w.startsWith('BGPConfiguration node.node-a')).length).toBe(1);
    await c.req('DELETE', `${CRD}/bgppeers/tor`);
    await until(() => !a.speaker.peers.has('Global_198_18_9_1'), 'BGPPeer gone');
    expect([...a.speaker.peers.keys()]).toEqual(['yaml-tor']);
  });

  it('builds the IPv6 mesh next to the IPv4 one (InternalIP v6 or the address-v6 annotation)', async () => {
    const c = await cluster();
    await c.node('node-a', ['198.18.0.1', 'fd00::1']);
    await c.node('node-b', ['198.18.0.2', 'fd00::2']);
    await c.node('node-c', ['198.18.0.3'], { annotations: { 'tortie.dev/address-v6': 'fd00::3' } });
    await c.node('node-d', ['198.18.0.4']);
    const a = await agentOn(c, 'node-a', { families: [4, 6] });
    expect([...a.speaker.peers.keys()].sort()).toEqual(['Mesh_198_18_0_2', 'Mesh_198_18_0_3', 'Mesh_198_18_0_4', 'Mesh_fd00__2', 'Mesh_fd00__3']);
    expect(a.speaker.peers.get('Mesh_fd00__2')).toMatchObject({ address: 'fd00::2', families: ['ipv6'], passive: true });
    expect(a.speaker.peers.get('Mesh_198_18_0_2')).toMatchObject({ families: ['ipv4'] });
    // d gains an IPv6 address: only the new session appears
    a.speaker.calls.length = 0;
    await c.req('PATCH', '/api/v1/nodes/node-d', { metadata: { annotations: { 'tortie.dev/address-v6': 'fd00::4' } } });
    await until(() => a.speaker.peers.has('Mesh_fd00__4'), 'd joins the IPv6 mesh');
    expect(a.speaker.calls).toEqual(['add Mesh_fd00__4']);
  });

  it('an IPv6-only node follows the route-reflector rules too', async () => {
    const c = await cluster();
    await c.node('node-a', ['fd00::1']);
    await c.node('node-b', ['fd00::2']);
    await c.node('node-r', ['fd00::9'], { labels: { 'tortie.dev/route-reflector-cluster-id': '1.0.0.1' } });
    const a = await agentOn(c, 'node-a', { families: [6] });
    const r = await agentOn(c, 'node-r', { families: [6] });
    expect([...a.speaker.peers.keys()]).toEqual(['Mesh_fd00__9']);
    expect([...r.speaker.peers.keys()].sort()).toEqual(['Mesh_fd00__1', 'Mesh_fd00__2']);
    expect(r.speaker.peers.get('Mesh_fd00__1')).toMatchObject({ routeReflectorClient: true, families: ['ipv6'] });
  });
});
