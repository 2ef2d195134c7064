import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localBlockRoute, remoteRoute, routeSignature } from './desired';
import { installProtoName } from './proto-name';
import { canonicalPrefix, inSubnet } from './subnet';
import type { NodeFacts, RemoteRoute } from './types';
import { vtepMacFor } from './vtep-mac';

const node: NodeFacts = {
  underlayDev: 'eth0',
  address: '198.18.1.2/24',
  ipip: { tunnelAddress: '10.65.0.1' },
  vxlan: { tunnelAddress: '10.65.0.0', mac: '66:00:00:00:00:01' },
};

function build(r: RemoteRoute, n: NodeFacts = node) {
  const res = remoteRoute(r, n, 201, 254);
  if (!res.ok) throw new Error(res.problem);
  return res.desired;
}

describe('subnet helpers', () => {
  it('inSubnet compares only the prefix bits', () => {
    expect(inSubnet('198.18.1.200', '198.18.1.2/24')).toBe(true);
    expect(inSubnet('198.18.2.1', '198.18.1.2/24')).toBe(false);
    expect(inSubnet('198.18.1.130', '198.18.1.2/25')).toBe(false);
    expect(inSubnet('198.18.1.100', '198.18.1.2/25')).toBe(true);
    expect(inSubnet('fd00::1', '198.18.1.2/24')).toBe(false);
    expect(inSubnet('fd00:1::9', 'fd00:1::1/64')).toBe(true);
  });
  it('canonicalPrefix clears host bits', () => {
    expect(canonicalPrefix('10.65.1.7/26')).toBe('10.65.1.0/26');
    expect(canonicalPrefix('10.65.1.7')).toBe('10.65.1.7/32');
    expect(canonicalPrefix('fd00:65::1234/120')).toBe('fd00:65::1200/120');
  });
});

describe('remoteRoute', () => {
  it('none: via the node IP on the underlay', () => {
    const d = build({ prefix: '10.65.2.0/26', encap: 'none', nextHops: [{ address: '198.18.1.3' }] });
    expect(d.route).toEqual({ dst: '10.65.2.0/26', family: 4, table: 254, protocol: 201, gateway: '198.18.1.3', dev: 'eth0' });
    expect(d.vteps).toEqual([]);
  });

  it('ipip: via the node IP on tunl0 onlink', () => {
    const d = build({ prefix: '10.65.2.0/26', encap: 'ipip', nextHops: [{ address: '198.18.1.3' }] });
    expect(d.route).toMatchObject({ gateway: '198.18.1.3', dev: 'tunl0', onlink: true });
  });

  it('vxlan: via the VTEP IP on vxlan.tortie onlink, with the VTEP for ARP/FDB', () => {
    const d = build({ prefix: '10.65.2.0/26', encap: 'vxlan', nextHops: [{ address: '198.18.1.3', vtep: { ip: '10.65.2.0', mac: '66:AA:00:00:00:03' } }] });
    expect(d.route).toMatchObject({ gateway: '10.65.2.0', dev: 'vxlan.tortie', onlink: true });
    expect(d.vteps).toEqual([{ ip: '10.65.2.0', mac: '66:aa:00:00:00:03', nodeIp: '198.18.1.3' }]);
  });

  it('crossSubnet: direct inside the subnet, tunnel across', () => {
    const inside = build({ prefix: '10.65.2.0/26', encap: 'crossSubnet-ipip', nextHops: [{ address: '198.18.1.3' }] });
    expect(inside.route).toMatchObject({ gateway: '198.18.1.3', dev: 'eth0' });
    expect(inside.route.onlink).toBeUndefined();
    const across = build({ prefix: '10.65.3.0/26', encap: 'crossSubnet-ipip', nextHops: [{ address: '198.18.2.3' }] });
    expect(across.route).toMatchObject({ gateway: '198.18.2.3', dev: 'tunl0', onlink: true });
    const vx = build({ prefix: '10.65.3.0/26', encap: 'crossSubnet-vxlan', nextHops: [{ address: '198.18.2.3', vtep: { ip: '10.65.3.0', mac: '66:00:00:00:00:03' } }] });
    expect(vx.route).toMatchObject({ gateway: '10.65.3.0', dev: 'vxlan.tortie', onlink: true });
  });

  it('several next hops: one ECMP route, sorted and de-duplicated, same signature whatever the order', () => {
    const a = build({ prefix: '10.65.9.0/26', encap: 'none', nextHops: [{ address: '198.18.1.4' }, { address: '198.18.1.3' }, { address: '198.18.1.4' }] });
    const b = build({ prefix: '10.65.9.0/26', encap: 'none', nextHops: [{ address: '198.18.1.3' }, { address: '198.18.1.4' }] });
    expect(a.route.nexthops?.map((h) => h.gateway)).toEqual(['198.18.1.3', '198.18.1.4']);
    expect(a.route.gateway).toBeUndefined();
    expect(a.sig).toBe(b.sig);
  });

  it('reports problems instead of building half routes', () => {
    expect(remoteRoute({ prefix: '10.65.2.0/26', encap: 'vxlan', nextHops: [{ address: '198.18.1.3' }] }, node, 201, 254))
      .toMatchObject({ ok: false, problem: expect.stringContaining('VTEP') });
    expect(remoteRoute({ prefix: '10.65.2.0/26', encap: 'ipip', nextHops: [{ address: '198.18.1.3' }] }, { underlayDev: 'eth0', address: '198.18.1.2/24' }, 201, 254))
      .toMatchObject({ ok: false, problem: expect.stringContaining('no ipip') });
    expect(remoteRoute({ prefix: '10.65.2.0/26', encap: 'none', nextHops: [] }, node, 201, 254)).toMatchObject({ ok: false });
    expect(remoteRoute({ prefix: 'fd00::/64', encap: 'none', nextHops: [{ address: '198.18.1.3' }] }, node, 201, 254)).toMatchObject({ ok: false });
    expect(remoteRoute({ prefix: '10.65.2.0/33', encap: 'none', nextHops: [{ address: '198.18.1.3' }] }, node, 201, 254)).toMatchObject({ ok: false });
    // one good hop of two: programmed over the good one
    const part = build({ prefix: '10.65.2.0/26', encap: 'vxlan', nextHops: [{ address: '198.18.1.3' }, { address: '198.18.1.4', vtep: { ip: '10.65.4.0', mac: '66:00:00:00:00:04' } }] });
    expect(part.route.gateway).toBe('10.65.4.0');
  });
});

describe('routeSignature', () => {
  it('equals for a desired route and its kernel read-back, differs on any next-hop change', () => {
    const d = build({ prefix: '10.65.2.0/26', encap: 'ipip', nextHops: [{ address: '198.18.1.3' }] });
    const kernel = { dst: '10.65.2.0/26', family: 4 as const, table: 254, protocol: 201, scope: 'universe' as const, type: 'unicast' as const, gateway: '198.18.1.3', oif: 5, dev: 'tunl0', onlink: true, priority: 0 };
    expect(routeSignature(kernel)).toBe(d.sig);
    expect(routeSignature({ ...kernel, onlink: undefined })).not.toBe(d.sig);
    expect(routeSignature({ ...kernel, gateway: '198.18.1.4' })).not.toBe(d.sig);
    expect(routeSignature({ ...kernel, dev: 'eth0' })).not.toBe(d.sig);
    const bh = localBlockRoute({ prefix: '10.65.1.0/26' }, 201, 254);
    expect(bh.ok && bh.desired.route).toEqual({ dst: '10.65.1.0/26', family: 4, table: 254, protocol: 201, type: 'blackhole' });
    expect(bh.ok && bh.desired.sig).toBe(routeSignature({ dst: '10.65.1.0/26', type: 'blackhole' }));
  });
});

describe('installProtoName', () => {
  it('writes "201 tortie" once and is idempotent', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tpg-proto-'));
    try {
      expect(installProtoName(dir)).toBe(true);
      expect(fs.readFileSync(path.join(dir, 'tortie.conf'), 'utf8')).toBe('201\ttortie\n');
      expect(installProtoName(dir)).toBe(false);
      fs.writeFileSync(path.join(dir, 'tortie.conf'), 'junk');
      expect(installProtoName(dir)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['tortie.conf']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('vtepMacFor', () => {
  it('is 66 + the first 5 bytes of SHA-1(node name), v6 with "-v6"', () => {
    const mac = vtepMacFor('node1');
    expect(mac).toMatch(/^66(:[0-9a-f]{2}){5}$/);
    // `printf node1 | sha1sum` = f937c37e94…
    expect(mac).toBe('66:f9:37:c3:7e:94');
    expect(vtepMacFor('node1', 6)).not.toBe(mac);
    expect(vtepMacFor('node2')).not.toBe(mac);
  });
});
