import { describe, it, expect } from 'vitest';
import { buildOpen, checkPeerOpen, keepLocallyInitiated } from './open-negotiation';
import type { PeerConfig } from './peer-config';
import type { OpenMessage } from '../wire/types';

const cfg: PeerConfig = {
  name: 'p',
  localAs: 65001,
  peerAs: 65002,
  routerId: '10.0.0.1',
  peerAddress: '10.0.0.2',
  holdTime: 90,
  families: [
    { afi: 1, safi: 1 },
    { afi: 2, safi: 1 },
  ],
};

function peerOpen(over: Partial<OpenMessage> = {}, caps: Partial<OpenMessage['capabilities']> = {}): OpenMessage {
  return {
    type: 1,
    version: 4,
    myAs: 65002,
    holdTime: 30,
    routerId: '10.0.0.2',
    capabilities: {
      multiprotocol: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
      routeRefresh: true,
      enhancedRouteRefresh: false,
      extendedMessage: true,
      extendedNextHop: [],
      fourOctetAs: 65002,
      unknown: [],
      ...caps,
    },
    ...over,
  };
}

const sub = (r: ReturnType<typeof checkPeerOpen>) => (r.ok ? 'ok' : `${r.notification.code}/${r.notification.subcode}`);

describe('buildOpen', () => {
  it('uses AS_TRANS for 4-octet ASNs and announces the configured capabilities', () => {
    const o = buildOpen({ ...cfg, localAs: 4200000001, gracefulRestart: { restartTime: 120 } });
    expect(o.myAs).toBe(23456);
    expect(o.capabilities.fourOctetAs).toBe(4200000001);
    expect(o.capabilities.multiprotocol).toHaveLength(2);
    expect(o.capabilities.gracefulRestart?.restartTime).toBe(120);
    expect(o.capabilities.gracefulRestart?.families).toHaveLength(2);
    expect(buildOpen(cfg).myAs).toBe(65001);
    expect(buildOpen({ ...cfg, families: undefined }).capabilities.multiprotocol).toEqual([{ afi: 1, safi: 1 }]);
  });
});

describe('checkPeerOpen', () => {
  it('negotiates min hold, keepalive = hold/3, shared families and capabilities', () => {
    const r = checkPeerOpen(cfg, peerOpen());
    if (!r.ok) throw new Error(r.reason);
    expect(r.negotiated.holdTime).toBe(30);
    expect(r.negotiated.keepaliveTime).toBe(10);
    expect(r.negotiated.as4).toBe(true);
    expect(r.negotiated.families).toHaveLength(2);
    expect(r.negotiated.routeRefresh).toBe(true);
    expect(r.negotiated.enhancedRouteRefresh).toBe(false);
    expect(r.negotiated.ibgp).toBe(false);
  });

  it('rejects with the right OPEN error subcodes', () => {
    expect(sub(checkPeerOpen(cfg, peerOpen({ version: 3 })))).toBe('2/1');
    const v = checkPeerOpen(cfg, peerOpen({ version: 3 }));
    expect(!v.ok && Array.from(v.notification.data)).toEqual([0, 4]);
    expect(sub(checkPeerOpen(cfg, peerOpen({}, { fourOctetAs: 65099 })))).toBe('2/2');
    expect(sub(checkPeerOpen(cfg, peerOpen({ myAs: 65099 }, { fourOctetAs: undefined })))).toBe('2/2');
    expect(sub(checkPeerOpen(cfg, peerOpen({ holdTime: 2 })))).toBe('2/6');
    expect(sub(checkPeerOpen(cfg, peerOpen({ routerId: '0.0.0.0' })))).toBe('2/3');
  });

  it('same BGP identifier: fine for eBGP, 2/3 for iBGP (RFC 6286)', () => {
    expect(sub(checkPeerOpen(cfg, peerOpen({ routerId: '10.0.0.1' })))).toBe('ok');
    const ibgp = { ...cfg, peerAs: 65001 };
    expect(sub(checkPeerOpen(ibgp, peerOpen({ myAs: 65001, routerId: '10.0.0.1' }, { fourOctetAs: 65001 })))).toBe('2/3');
  });

  it('hold 0 disables keepalives; configured keepalive is honoured when smaller', () => {
    const r0 = checkPeerOpen(cfg, peerOpen({ holdTime: 0 }));
    expect(r0.ok && [r0.negotiated.holdTime, r0.negotiated.keepaliveTime]).toEqual([0, 0]);
    const r1 = checkPeerOpen({ ...cfg, keepaliveTime: 3 }, peerOpen());
    expect(r1.ok && r1.negotiated.keepaliveTime).toBe(3);
  });

  it('family mismatch: missing optional family is dropped, required or empty → 2/7 with MP cap data', () => {
    const v4only = peerOpen({}, { multiprotocol: [{ afi: 1, safi: 1 }] });
    const r = checkPeerOpen(cfg, v4only);
    expect(r.ok && r.negotiated.families).toEqual([{ afi: 1, safi: 1 }]);
    const req = checkPeerOpen({ ...cfg, requiredFamilies: [{ afi: 2, safi: 1 }] }, v4only);
    expect(sub(req)).toBe('2/7');
    expect(!req.ok && Array.from(req.notification.data)).toEqual([1, 4, 0, 2, 0, 1]);
    const v6cfg = { ...cfg, families: [{ afi: 2 as const, safi: 1 as const }] };
    expect(sub(checkPeerOpen(v6cfg, v4only))).toBe('2/7');
    // no MP capability at all = IPv4 unicast
    const none = checkPeerOpen(cfg, peerOpen({}, { multiprotocol: [] }));
    expect(none.ok && none.negotiated.families).toEqual([{ afi: 1, safi: 1 }]);
  });
});

describe('keepLocallyInitiated (collision resolution)', () => {
  it('higher identifier keeps its own connection; ties broken by AS', () => {
    expect(keepLocallyInitiated('10.0.0.2', 1, '10.0.0.1', 2)).toBe(true);
    expect(keepLocallyInitiated('10.0.0.1', 1, '10.0.0.2', 2)).toBe(false);
    expect(keepLocallyInitiated('10.0.0.1', 5, '10.0.0.1', 2)).toBe(true);
    expect(keepLocallyInitiated('192.168.0.1', 1, '10.0.0.1', 2)).toBe(true); // unsigned compare
  });
});
