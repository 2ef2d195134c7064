import { describe, it, expect } from 'vitest';
import type { PeerConfig } from '../../config/types';
import { Afi } from '../wire/types';
import { configPeerType, meshPeer, meshPeerName, ribPeerConfig, sessionConfig } from './peer-map';
import type { SpeakerIdentity } from './peer-map';

const node: SpeakerIdentity = {
  asNumber: 64512, routerId: '10.0.0.1', nodeToNodeMesh: true,
  timers: { holdTime: 90, keepaliveTime: 30, connectRetryTime: 5 }, gracefulRestart: { enabled: true, restartTime: 120 },
};
const peer = (p: Partial<PeerConfig>): PeerConfig => ({
  name: 'p', address: '10.0.0.2', asNumber: 65001, port: 179, passive: false, holdTime: 9, keepaliveTime: 3, connectRetryTime: 2,
  routeReflectorClient: false, nextHopSelf: false, allowAsIn: 0, gracefulRestart: { enabled: true, restartTime: 60 }, families: ['ipv4'],
  importPolicy: [], exportPolicy: [], ...p,
});

describe('peer mapping', () => {
  it('types: rr-client, rr (iBGP without mesh on a non-reflector), global', () => {
    expect(configPeerType(node, peer({ asNumber: 64512, routeReflectorClient: true }))).toBe('rr-client');
    expect(configPeerType(node, peer({ asNumber: 64512 }))).toBe('global');
    expect(configPeerType(node, peer({ asNumber: 65001, node: 'node-1' }))).toBe('node');
    expect(configPeerType({ ...node, nodeToNodeMesh: false }, peer({ asNumber: 64512 }))).toBe('rr');
    expect(configPeerType({ ...node, nodeToNodeMesh: false, routeReflector: { clusterId: '1.1.1.1' } }, peer({ asNumber: 64512 }))).toBe('global');
    expect(configPeerType({ ...node, nodeToNodeMesh: false }, peer({}))).toBe('global');
  });

  it('mesh peers inherit the node timers and get Calico names', () => {
    const m = meshPeer(node, { address: 'fd00::2' });
    expect(m).toMatchObject({ name: 'Mesh_fd00__2', asNumber: 64512, holdTime: 90, families: ['ipv6'], type: 'mesh' });
    expect(meshPeerName('10.0.0.3')).toBe('Mesh_10_0_0_3');
  });

  it('session config carries timers, families and GR restart bits', () => {
    const s = sessionConfig(node, { ...peer({ families: ['ipv4', 'ipv6'], port: 1179 }), type: 'global' }, { restarting: true });
    expect(s).toMatchObject({ localAs: 64512, peerAs: 65001, peerPort: 1179, holdTime: 9, fsm: { connectRetryTime: 2 }, gracefulRestart: { restartTime: 60, restarting: true, forwardingPreserved: true } });
    expect(s.families?.map((f) => f.afi)).toEqual([Afi.IPv4, Afi.IPv6]);
    expect(sessionConfig(node, { ...peer({ gracefulRestart: { enabled: false, restartTime: 60 } }), type: 'global' }, { restarting: false }).gracefulRestart).toBeUndefined();
  });

  it('RIB config: next hop self, allowAsIn, and a max-prefix limit only for action restart', () => {
    const r = ribPeerConfig({ ...peer({ nextHopSelf: true, allowAsIn: 2, maxPrefix: { limit: 10, action: 'restart', restartAfter: 5 } }), type: 'global' }, new Map());
    expect(r).toMatchObject({ address: '10.0.0.2', remoteAs: 65001, nextHop: 'self', allowOwnAs: 2, maxPrefix: 10 });
    expect(ribPeerConfig({ ...peer({ maxPrefix: { limit: 10, action: 'warn' } }), type: 'global' }, new Map()).maxPrefix).toBeUndefined();
  });
});
