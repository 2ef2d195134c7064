import { describe, expect, it } from 'vitest';
import { canonicalAddress, meshPeersFrom, nodeInfo, splitPeerIp, type NodeInfo } from './k8s-nodes';

const node = (name: string, addr: string[], labels: Record<string, string> = {}): NodeInfo => ({ name, labels, addresses: addr });
const nodes = [node('a', ['10.0.0.1', 'fd00::1'], { rack: 'r1' }), node('b', ['10.0.0.2'], { rack: 'r2' }), node('c', ['10.0.0.10', 'fd00::3'], { rack: 'r1' })];
const cfg = { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 };

describe('meshPeersFrom', () => {
  it('meshes with every other node, passive towards higher (string-compared) addresses', () => {
    const p = meshPeersFrom(nodes, [], cfg, 'b');
    expect(p.map((x) => [x.name, x.passive])).toEqual([
      ['Mesh_10_0_0_1', false],
      // "10.0.0.10" < "10.0.0.2" as strings, exactly as Calico compares them.
      ['Mesh_10_0_0_10', false],
    ]);
    expect(meshPeersFrom(nodes, [], cfg, 'a').map((x) => x.passive)).toEqual([true, true]);
    expect(meshPeersFrom(nodes, [], cfg, 'a', 6).map((x) => x.address)).toEqual(['fd00::3']);
  });

  it('applies global, per-node and nodeSelector peers; a node peer at a global address is dropped', () => {
    const peers = [
      { name: 'tor-r1', peerIP: '198.18.1.254', asNumber: 65001, nodeSelector: 'rack == "r1"' },
      { name: 'rr', peerIP: '198.18.9.9:1179', asNumber: 64512 },
      { name: 'dup', peerIP: '198.18.9.9', asNumber: 64512, node: 'a' },
      { name: 'only-b', peerIP: '198.18.2.1', asNumber: 65002, node: 'b' },
    ];
    const a = meshPeersFrom(nodes, peers, { ...cfg, nodeToNodeMesh: false }, 'a');
    expect(a.map((x) => x.name)).toEqual(['Node_198_18_1_254', 'Global_198_18_9_9_port_1179']);
    expect(a[1].port).toBe(1179);
    const b = meshPeersFrom(nodes, peers, cfg, 'b');
    expect(b.map((x) => x.source)).toEqual(['mesh', 'mesh', 'global', 'node']);
  });

  it('names the BGPPeer each explicit peer comes from; Kubernetes selector syntax selects too', () => {
    const peers = [
      { name: 'tor-k8s', peerIP: '198.18.1.254', asNumber: 65001, nodeSelector: 'rack in (r1,r3),!spot' },
      { name: 'rr', peerIP: '198.18.9.9', asNumber: 64512 },
    ];
    const a = meshPeersFrom(nodes, peers, { ...cfg, nodeToNodeMesh: false }, 'a');
    expect(a.map((x) => [x.name, x.peer])).toEqual([['Node_198_18_1_254', 'tor-k8s'], ['Global_198_18_9_9', 'rr']]);
    expect(meshPeersFrom(nodes, peers, cfg, 'b').map((x) => x.peer)).toEqual([undefined, undefined, 'rr']);
  });

  it('knows nothing about an unknown node and skips peering with itself', () => {
    expect(meshPeersFrom(nodes, [], cfg, 'zz')).toEqual([]);
    expect(meshPeersFrom(nodes, [{ name: 'self', peerIP: '10.0.0.1', asNumber: 1 }], { ...cfg, nodeToNodeMesh: false }, 'a')).toEqual([]);
  });

  it('parses peer addresses and Node objects', () => {
    expect(splitPeerIp('[fd00::1]:1179', 179)).toEqual({ address: 'fd00::1', port: 1179 });
    expect(splitPeerIp('fd00::1', 179)).toEqual({ address: 'fd00::1', port: 179 });
    expect(nodeInfo({ metadata: { name: 'n' }, status: { addresses: [{ type: 'Hostname', address: 'n' }, { type: 'InternalIP', address: '10.1.1.1' }] } })).toEqual({
      name: 'n',
      labels: {},
      addresses: ['10.1.1.1'],
    });
  });
});

describe('canonical addresses (RFC 5952) from Kubernetes objects', () => {
  it('canonicalAddress: zero runs, leading zeros, upper case, IPv4-mapped; undefined for non-addresses', () => {
    expect(canonicalAddress('2001:db8:0::2')).toBe('2001:db8::2');
    expect(canonicalAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // first of two equal runs
    expect(canonicalAddress('2001:db8::0:1')).toBe('2001:db8::1');
    expect(canonicalAddress('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // a single zero group stays
    expect(canonicalAddress('2001:0db8:0000:0000:0000:0000:0000:0002')).toBe('2001:db8::2');
    expect(canonicalAddress('FD00::00AB')).toBe('fd00::ab');
    expect(canonicalAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalAddress('::FFFF:C000:0201')).toBe('192.0.2.1');
    expect(canonicalAddress('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalAddress('fd00:::1')).toBeUndefined();
    expect(canonicalAddress('peer.example')).toBeUndefined();
  });

  it('splitPeerIp canonicalises every form, with or without a port; non-addresses pass through', () => {
    for (const text of ['2001:db8::2', '2001:DB8:0::02', '2001:0db8:0:0:0:0:0:2', '[2001:db8:0::2]']) {
      expect(splitPeerIp(text, 179)).toEqual({ address: '2001:db8::2', port: 179 });
    }
    expect(splitPeerIp('[2001:DB8::0002]:1179', 179)).toEqual({ address: '2001:db8::2', port: 1179 });
    expect(splitPeerIp('[::ffff:198.18.0.2]:1179', 179)).toEqual({ address: '198.18.0.2', port: 1179 });
    expect(splitPeerIp('bogus', 179)).toEqual({ address: 'bogus', port: 179 });
  });

  it('peers written in other forms are the same peer: one mesh session, names and passivity from canonical text', () => {
    const v6 = [node('a', ['FD00::1']), node('b', ['fd00:0::0002'])];
    const peers = [{ name: 'g', peerIP: '2001:DB8::9', asNumber: 65001 }, { name: 'n', peerIP: '2001:db8:0::9', asNumber: 65001, node: 'a' }];
    const a = meshPeersFrom(v6.map((n) => nodeInfo({ metadata: { name: n.name }, status: { addresses: n.addresses.map((address) => ({ type: 'InternalIP', address })) } })), peers, cfg, 'a', 6);
    expect(a.map((p) => [p.name, p.address, p.passive])).toEqual([
      ['Mesh_fd00__2', 'fd00::2', true],
      // the node-specific peer is the global one written differently: dropped
      ['Global_2001_db8__9', '2001:db8::9', false],
    ]);
  });
});
