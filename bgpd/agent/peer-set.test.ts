import { describe, expect, it } from 'vitest';
import { desiredPeers } from './peer-set';

const opts = { mesh: true, asNumber: 64512 };
const n = (name: string, ip: string, extra: Record<string, unknown> = {}) => ({ name, ipv4: ip, ...extra });

describe('desiredPeers', () => {
  it('full mesh: every other node with an IPv4 address, not ourselves', () => {
    const nodes = [n('a', '198.18.1.1'), n('b', '198.18.1.2'), n('c', '198.18.1.3', { asNumber: 64600 }), { name: 'noaddr' }];
    expect(desiredPeers('a', nodes, opts)).toEqual([
      { name: 'Mesh_198_18_1_2', address: '198.18.1.2', asNumber: 64512, role: 'mesh' },
      { name: 'Mesh_198_18_1_3', address: '198.18.1.3', asNumber: 64600, role: 'mesh' },
    ]);
  });

  it('mesh off and no reflectors: no automatic sessions', () => {
    expect(desiredPeers('a', [n('a', '198.18.1.1'), n('b', '198.18.1.2')], { ...opts, mesh: false })).toEqual([]);
  });

  it('with reflectors: clients peer only with reflectors, reflectors serve clients and mesh across clusters', () => {
    const nodes = [
      n('a', '198.18.1.1'), n('b', '198.18.1.2'),
      n('r1', '198.18.1.11', { rrClusterId: '1.0.0.1' }), n('r2', '198.18.1.12', { rrClusterId: '1.0.0.1' }),
      n('r3', '198.18.1.13', { rrClusterId: '1.0.0.2' }),
    ];
    expect(desiredPeers('a', nodes, opts).map((p) => `${p.address} ${p.role}`)).toEqual(['198.18.1.11 rr', '198.18.1.12 rr', '198.18.1.13 rr']);
    expect(desiredPeers('r1', nodes, opts).map((p) => `${p.address} ${p.role}`)).toEqual([
      '198.18.1.1 rr-client', '198.18.1.13 mesh', '198.18.1.2 rr-client',
    ]);
    // the mesh flag does not matter once reflectors exist
    expect(desiredPeers('b', nodes, { ...opts, mesh: false })).toHaveLength(3);
  });
});
