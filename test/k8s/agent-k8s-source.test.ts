// The agent's Kubernetes peer source against the in-process apiserver with tortie's CRDs: Node objects
// and BGPPeer / BGPConfiguration CRDs in, speaker sessions out.
import { describe, expect, it } from 'vitest';
import { CRD, recordingLogger, until, useFakeClusterKit } from './fake-cluster-kit';
import type { KitCluster, NodeOptions } from './fake-cluster-kit';

const { cluster, agentOn } = useFakeClusterKit();

// with the Hostname address kubelet always lists: the source must pick the InternalIP, or skip the node
const node = (c: KitCluster, name: string, ip: string | undefined, meta: NodeOptions = {}) => c.node(name, ip ? [ip] : [], { ...meta, hostname: true });

describe('KubernetesClusterSource in the agent', () => {
  it('follows Node joins, leaves and address changes; skips a node without an address, naming it', async () => {
    const c = await cluster();
    await node(c, 'node-a', '198.18.0.1');
    await node(c, 'node-b', '198.18.0.2');
    const log = recordingLogger();
    const { speaker } = await agentOn(c, 'node-a', { source: { logger: log } });
    // the first sync after start() already has the listed nodes
    expect([...speaker.peers.keys()]).toEqual(['Mesh_198_18_0_2']);
    // Calico's rule: the side with the lower address connects, the other waits (only one connection)
    expect(speaker.peers.get('Mesh_198_18_0_2')).toMatchObject({ address: '198.18.0.2', asNumber: 64512, passive: true, port: 179 });

    await node(c, 'node-c', '198.18.0.3', { annotations: { 'tortie.dev/as-number': '64600' } });
    await until(() => speaker.peers.has('Mesh_198_18_0_3'), 'c joins');
    expect(speaker.peers.get('Mesh_198_18_0_3')).toMatchObject({ asNumber: 64600 });

    await node(c, 'node-x', undefined);
    await until(() => log.warnings.some((w) => w.includes('node-x')), 'warning naming node-x');
    expect(speaker.peers.size).toBe(2);

    // address override by annotation: the old session goes, the new one comes, c is untouched
    speaker.calls.length = 0;
    await c.req('PATCH', '/api/v1/nodes/node-b', { metadata: { annotations: { 'tortie.dev/address': '198.18.0.12' } } });
    await until(() => speaker.peers.has('Mesh_198_18_0_12'), 'b moved');
    expect(speaker.calls).toEqual(['remove Mesh_198_18_0_2', 'add Mesh_198_18_0_12']);

    await c.req('DELETE', '/api/v1/nodes/node-c');
    await until(() => !speaker.peers.has('Mesh_198_18_0_3'), 'c leaves');
    expect([...speaker.peers.keys()]).toEqual(['Mesh_198_18_0_12']);
  });

  it('applies a nodeSelector BGPPeer only to the nodes it selects, and follows label changes', async () => {
    const c = await cluster();
    await node(c, 'node-a', '198.18.0.1', { labels: { rack: 'r1' } });
    await node(c, 'node-b', '198.18.0.2', { labels: { rack: 'r2' } });
    await c.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor-r1' }, spec: { peerIP: '198.18.9.1', asNumber: 65001, nodeSelector: 'rack == "r1"' } });
    const a = await agentOn(c, 'node-a');
    const b = await agentOn(c, 'node-b');
    expect([...a.speaker.peers.keys()].sort()).toEqual(['Mesh_198_18_0_2', 'Node_198_18_9_1']);
    expect(a.speaker.peers.get('Node_198_18_9_1')).toMatchObject({ address: '198.18.9.1', asNumber: 65001 });
    expect([...b.speaker.peers.keys()]).toEqual(['Mesh_198_18_0_1']);

    await c.req('PATCH', '/api/v1/nodes/node-b', { metadata: { labels: { rack: 'r1' } } });
    await until(() => b.speaker.peers.has('Node_198_18_9_1'), 'b selected');
    await c.req('PATCH', '/api/v1/nodes/node-a', { metadata: { labels: { rack: 'r2' } } });
    await until(() => !a.speaker.peers.has('Node_198_18_9_1'), 'a deselected');
    expect([...a.speaker.peers.keys()]).toEqual(['Mesh_198_18_0_2']);
  });

  it('turning the mesh off removes mesh peers and leaves a global BGPPeer session untouched', async () => {
    const c = await cluster();
    await node(c, 'node-a', '198.18.0.1');
    await node(c, 'node-b', '198.18.0.2');
    await node(c, 'node-c', '198.18.0.3');
    await c.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'rr' }, spec: { peerIP: '198.18.9.9', asNumber: 64512 } });
    await c.req('POST', `${CRD}/bgpconfigurations`, { metadata: { name: 'default' }, spec: { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 } });
    const { speaker } = await agentOn(c, 'node-a');
    expect([...speaker.peers.keys()].sort()).toEqual(['Global_198_18_9_9', 'Mesh_198_18_0_2', 'Mesh_198_18_0_3']);
    const global = speaker.peers.get('Global_198_18_9_9');

    speaker.calls.length = 0;
    await c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { nodeToNodeMesh: false } });
    await until(() => speaker.peers.size === 1, 'mesh peers removed');
    expect(speaker.calls.sort()).toEqual(['remove Mesh_198_18_0_2', 'remove Mesh_198_18_0_3']);
    expect(speaker.peers.get('Global_198_18_9_9')).toBe(global);

    // and back on: only the mesh sessions come back
    speaker.calls.length = 0;
    await c.req('PATCH', `${CRD}/bgpconfigurations/default`, { spec: { nodeToNodeMesh: true } });
    await until(() => speaker.peers.size === 3, 'mesh peers back');
    expect(speaker.calls.sort()).toEqual(['add Mesh_198_18_0_2', 'add Mesh_198_18_0_3']);
  });

  it('recovers from dropped and failing watches: a node that joined meanwhile still gets its session', async () => {
    const c = await cluster();
    await node(c, 'node-a', '198.18.0.1');
    const { speaker } = await agentOn(c, 'node-a');
    expect(speaker.peers.size).toBe(0);
    const watches = (): number => c.api.requests.filter((r) => r.startsWith('GET /api/v1/nodes') && r.includes('watch=true')).length;
    const before = watches();
    // every node watch fails with 500 for a while (apiserver restarting), and open streams end
    c.api.setHook(({ path, query }) => (path === '/api/v1/nodes' && query.get('watch') ? { status: 500, body: { kind: 'Status', code: 500 } } : undefined));
    c.api.dropWatches();
    await until(() => watches() >= before + 2, 'watch retried after a failure');
    await node(c, 'node-b', '198.18.0.2');
    c.api.setHook(undefined);
    await until(() => speaker.peers.has('Mesh_198_18_0_2'), 'b seen after the watch recovered');
  });
});
