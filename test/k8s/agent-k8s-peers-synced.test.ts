// /readyz's "no peers is ready" needs a complete peer list: with the Kubernetes datastore the agent says
// so (Agent.peersSynced) only once Nodes, BGPPeers and BGPConfigurations have each listed successfully
// and the result reached the speaker. client-node's informer start() resolves even when its list fails.
import { describe, expect, it } from 'vitest';
import { until, useFakeClusterKit } from './fake-cluster-kit';

const kit = useFakeClusterKit();

describe('Agent.peersSynced with the Kubernetes source', () => {
  it('a Nodes list failing at start: not synced and no peers; once it lists, the mesh peer is there and synced', async () => {
    const c = await kit.cluster();
    await c.node('node-a', ['198.18.0.1']);
    await c.node('node-b', ['198.18.0.2']);
    c.api.setHook(({ path }) => (path.startsWith('/api/v1/nodes') ? { status: 500, body: { kind: 'Status', code: 500, reason: 'InternalError' } } : undefined));
    const { agent, speaker } = await kit.agentOn(c, 'node-a');
    expect(speaker.peers.size).toBe(0);
    expect(agent.peersSynced()).toBe(false);
    // still not, after a few failed retries (20 ms apart)
    await new Promise((r) => setTimeout(r, 100));
    expect(agent.peersSynced()).toBe(false);
    c.api.setHook(undefined);
    await until(() => agent.peersSynced(), 'synced once Nodes list');
    // synced is only said once the speaker has the peers it implies
    expect([...speaker.peers.keys()]).toEqual(['Mesh_198_18_0_2']);
  });

  it('a cluster with no other node: synced at start with no peers (nothing to wait for)', async () => {
    const c = await kit.cluster();
    await c.node('node-a', ['198.18.0.1']);
    const { agent, speaker } = await kit.agentOn(c, 'node-a');
    expect(speaker.peers.size).toBe(0);
    expect(agent.peersSynced()).toBe(true);
  });
});
