// IPv6 peer addresses from Kubernetes objects reach the speaker in RFC 5952 form, whatever form the
// BGPPeer or Node was written in: the listener matches incoming connections by Node's canonical
// remoteAddress, so a non-canonical address would refuse its peer (and split mesh names and dedup).
import { describe, expect, it } from 'vitest';
import { CRD, useFakeClusterKit } from './fake-cluster-kit';

const kit = useFakeClusterKit();

describe('canonical IPv6 from the Kubernetes source', () => {
  it('a BGPPeer peerIP written 2001:DB8:0::02 gives the same SpeakerPeer as 2001:db8::2', async () => {
    const speakerPeersFor = async (peerIP: string) => {
      const c = await kit.cluster();
      await c.node('node-a', ['fd00:0:0:0::1']);
      await c.node('node-b', ['FD00::0002']);
      await c.req('POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP, asNumber: 65001 } });
      const { speaker } = await kit.agentOn(c, 'node-a', { source: { families: [6] } });
      return [...speaker.peers.values()].map((p) => ({ name: p.name, address: p.address, passive: p.passive })).sort((a, b) => (a.name < b.name ? -1 : 1));
    };
    const canonical = await speakerPeersFor('2001:db8::2');
    expect(canonical).toEqual([
      { name: 'Global_2001_db8__2', address: '2001:db8::2', passive: false },
      // node-b's InternalIP written FD00::0002: the mesh session is to fd00::2, and it sorts after fd00::1
      { name: 'Mesh_fd00__2', address: 'fd00::2', passive: true },
    ]);
    expect(await speakerPeersFor('2001:DB8:0::02')).toEqual(canonical);
    expect(await speakerPeersFor('[2001:0db8:0000:0000:0000:0000:0000:0002]:179')).toEqual(canonical);
  });
});
