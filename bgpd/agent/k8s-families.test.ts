import { describe, expect, it } from 'vitest';
import { finishPeers, meshPorts, nodeForFamily, otherFamilyPeers } from './k8s-families';
import type { NodeBgpConfig } from './k8s-bgpconfig';
import { clusterNode } from './k8s-peers';
import type { ClusterPeer, NodeObject } from './k8s-peers';

const node = (name: string, addrs: string[], annotations: Record<string, string> = {}): NodeObject => ({
  metadata: { name, annotations },
  status: { addresses: addrs.map((address) => ({ type: 'InternalIP', address })) },
});
const CFG: NodeBgpConfig = { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179, serviceClusterIPs: [], serviceExternalIPs: [], serviceLoadBalancerIPs: [], prefixAdvertisements: [] };
const peer = (name: string, address: string, port = 179): ClusterPeer => ({ name, address, asNumber: 64512, role: 'mesh', port, passive: false });

describe('IPv6 addresses of Node objects', () => {
  it('address-v6 annotation, else the IPv6 InternalIP even when an IPv4 override is set', () => {
    expect(clusterNode(nodeForFamily(node('a', ['198.18.0.1', 'fd00::1'], { 'tortie.dev/address': '198.18.5.5' }), 6), 6).address).toBe('fd00::1');
    expect(clusterNode(nodeForFamily(node('a', ['198.18.0.1', 'fd00::1'], { 'tortie.dev/address-v6': 'fd00::99' }), 6), 6).address).toBe('fd00::99');
    // the IPv4 view is untouched
    expect(clusterNode(nodeForFamily(node('a', ['198.18.0.1'], { 'tortie.dev/address-v6': 'fd00::99' }), 4), 4).address).toBe('198.18.0.1');
  });

  it('builds the IPv6 mesh for the families after the first', () => {
    const nodes = [node('a', ['198.18.0.1', 'fd00::1']), node('b', ['198.18.0.2', 'fd00::2']), node('c', ['198.18.0.3'])];
    expect(otherFamilyPeers(nodes, [], CFG, 'a', [4, 6]).map((p) => [p.name, p.address, p.passive])).toEqual([['Mesh_fd00__2', 'fd00::2', true]]);
    expect(otherFamilyPeers(nodes, [], CFG, 'a', [4])).toEqual([]);
  });

  it('follows the route-reflector topology over IPv6 as over IPv4', () => {
    const rr = { 'tortie.dev/route-reflector-cluster-id': '1.0.0.1' };
    const nodes = [node('a', ['198.18.0.1', 'fd00::1']), node('b', ['198.18.0.2', 'fd00::2']), { ...node('r', ['198.18.0.9', 'fd00::9']), metadata: { name: 'r', labels: rr } }];
    // an ordinary node talks only to the reflector; the reflector serves both as clients
    expect(otherFamilyPeers(nodes, [], CFG, 'a', [4, 6]).map((p) => [p.name, p.role])).toEqual([['Mesh_fd00__9', 'rr']]);
    expect(otherFamilyPeers(nodes, [], CFG, 'r', [4, 6]).map((p) => [p.name, p.role])).toEqual([['Mesh_fd00__1', 'rr-client'], ['Mesh_fd00__2', 'rr-client']]);
  });
});

describe('finishPeers', () => {
  it('dials each mesh neighbour on its own listen port, sets the mesh restart time, sorts', () => {
    const ports = meshPorts([node('b', ['198.18.0.2']), node('c', ['198.18.0.3'])], [4], (n) => (n === 'c' ? 1179 : 179));
    const { peers } = finishPeers([peer('Mesh_198_18_0_3', '198.18.0.3'), peer('Mesh_198_18_0_2', '198.18.0.2'), peer('Global_198_18_9_9', '198.18.9.9')], { ...CFG, nodeMeshMaxRestartTime: 300 }, [], ports);
    expect(peers.map((p) => [p.name, p.port, p.overrides?.restartTime])).toEqual([
      ['Global_198_18_9_9', 179, undefined],
      ['Mesh_198_18_0_2', 179, 300],
      ['Mesh_198_18_0_3_port_1179', 1179, 300],
    ]);
  });

  it("leaves out a session the config file's peers already run (same name or address)", () => {
    const r = finishPeers([peer('Global_198_18_9_9', '198.18.9.9'), peer('Mesh_198_18_0_2', '198.18.0.2'), peer('Node_fd00__9', 'FD00::9')], CFG, [{ name: 'tor', address: '198.18.9.9' }, { name: 'x', address: 'fd00::9' }]);
    expect(r.peers.map((p) => p.name)).toEqual(['Mesh_198_18_0_2']);
    expect(r.dropped.map((p) => p.name)).toEqual(['Global_198_18_9_9', 'Node_fd00__9']);
  });
});
