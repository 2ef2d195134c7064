import { describe, expect, it } from 'vitest';
import { bgpConfig, bgpPeerSpec, clusterNode, clusterPeers } from './k8s-peers';
import type { NodeObject } from './k8s-peers';

const obj = (name: string, ip?: string, meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): NodeObject => ({
  metadata: { name, ...meta },
  status: { addresses: ip ? [{ type: 'ExternalIP', address: '203.0.113.9' }, { type: 'InternalIP', address: ip }] : [] },
});
const CFG = { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 };

describe('clusterNode', () => {
  it('takes the InternalIP, or the address annotation over it', () => {
    expect(clusterNode(obj('a', '198.18.0.1')).address).toBe('198.18.0.1');
    expect(clusterNode(obj('a', '198.18.0.1', { annotations: { 'tortie.dev/address': '198.18.5.5' } })).address).toBe('198.18.5.5');
  });

  it('has no address for a garbage override or a node of the other family only', () => {
    expect(clusterNode(obj('a', '198.18.0.1', { annotations: { 'tortie.dev/address': '198.18.0.300' } })).address).toBeUndefined();
    expect(clusterNode(obj('a', 'fd00::1')).address).toBeUndefined();
    expect(clusterNode(obj('a', 'fd00::1'), 6).address).toBe('fd00::1');
    expect(clusterNode(obj('a', 'fd00:::1'), 6).address).toBeUndefined();
  });

  it('gives the address canonical (RFC 5952), from the InternalIP or the annotation', () => {
    expect(clusterNode(obj('a', 'FD00:0:0::0001'), 6).address).toBe('fd00::1');
    expect(clusterNode(obj('a', '2001:0db8:0000:0000:0000:0000:0000:0002'), 6).address).toBe('2001:db8::2');
    expect(clusterNode(obj('a', '198.18.0.1', { annotations: { 'tortie.dev/address': ' 2001:DB8:0::5 ' } }), 6).address).toBe('2001:db8::5');
    // an IPv4-mapped address is IPv4: an IPv4 session, not an IPv6 one
    expect(clusterNode(obj('a', '::ffff:198.18.0.7')).address).toBe('198.18.0.7');
    expect(clusterNode(obj('a', '::ffff:198.18.0.7'), 6).address).toBeUndefined();
  });

  it('reads the AS annotation (rejecting non-integers) and the RR cluster id from a label or annotation', () => {
    expect(clusterNode(obj('a', '198.18.0.1', { annotations: { 'tortie.dev/as-number': '65010' } })).asNumber).toBe(65010);
    expect(clusterNode(obj('a', '198.18.0.1', { annotations: { 'tortie.dev/as-number': '65010.5' } })).asNumber).toBeUndefined();
    expect(clusterNode(obj('a', '198.18.0.1', { labels: { 'tortie.dev/route-reflector-cluster-id': '1.0.0.1' } })).rrClusterId).toBe('1.0.0.1');
    expect(clusterNode(obj('a', '198.18.0.1', { annotations: { 'tortie.dev/route-reflector-cluster-id': '1.0.0.2' } })).rrClusterId).toBe('1.0.0.2');
  });
});

describe('bgpConfig / bgpPeerSpec', () => {
  it('uses only the object named default, falling back field by field', () => {
    expect(bgpConfig([{ metadata: { name: 'other' }, spec: { nodeToNodeMesh: false } }], CFG)).toEqual(CFG);
    expect(bgpConfig([{ metadata: { name: 'default' }, spec: { nodeToNodeMesh: false } }], CFG)).toEqual({ ...CFG, nodeToNodeMesh: false });
  });

  it('drops a BGPPeer without peerIP or asNumber', () => {
    expect(bgpPeerSpec({ metadata: { name: 'x' }, spec: { peerIP: '198.18.9.1' } })).toBeUndefined();
    expect(bgpPeerSpec({ metadata: { name: 'x' }, spec: { peerIP: '198.18.9.1', asNumber: 65000, node: 'a' } })).toEqual({ name: 'x', peerIP: '198.18.9.1', asNumber: 65000, node: 'a' });
  });
});

describe('clusterPeers', () => {
  it('meshes with the per-node AS and skips nodes without an address', () => {
    const nodes = [obj('a', '198.18.0.1'), obj('b', '198.18.0.2', { annotations: { 'tortie.dev/as-number': '65002' } }), obj('c')].map((n) => clusterNode(n));
    expect(clusterPeers(nodes, [], CFG, 'a')).toEqual([{ name: 'Mesh_198_18_0_2', address: '198.18.0.2', asNumber: 65002, role: 'mesh', port: 179, passive: true }]);
  });

  it('follows reflector topology once a node carries a cluster id: clients peer only with reflectors', () => {
    const rr = { labels: { 'tortie.dev/route-reflector-cluster-id': '1.0.0.1' } };
    const nodes = [obj('a', '198.18.0.1'), obj('b', '198.18.0.2'), obj('r', '198.18.0.9', rr)].map((n) => clusterNode(n));
    expect(clusterPeers(nodes, [], CFG, 'a').map((p) => [p.name, p.role])).toEqual([['Mesh_198_18_0_9', 'rr']]);
    expect(clusterPeers(nodes, [], CFG, 'r').map((p) => [p.name, p.role])).toEqual([['Mesh_198_18_0_1', 'rr-client'], ['Mesh_198_18_0_2', 'rr-client']]);
  });

  it('applies a nodeSelector peer to this node only when it is selected, even before the node has an address', () => {
    const peers = [{ name: 'tor', peerIP: '198.18.9.1', asNumber: 65001, nodeSelector: 'rack == "r1"' }];
    const a = clusterNode(obj('a', undefined, { labels: { rack: 'r1' } }));
    const b = clusterNode(obj('b', '198.18.0.2', { labels: { rack: 'r2' } }));
    expect(clusterPeers([a, b], peers, CFG, 'a').map((p) => p.name)).toEqual(['Node_198_18_9_1']);
    expect(clusterPeers([a, b], peers, CFG, 'b')).toEqual([]);
  });
});
