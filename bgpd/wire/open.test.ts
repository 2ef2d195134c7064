import { describe, it, expect } from 'vitest';
import { Afi, ErrCode, ErrorAction, MsgType, Safi } from './types';
import type { Capabilities, OpenMessage } from './types';
import { encodeMessage } from './message';
import { emptyCapabilities } from './capabilities';
import { checkOpenAgainstLocal, codecContextFor, myAsField, peerAsOf, unsupportedCapabilityNotification } from './open';
import { EBGP4, decode, hex, message } from './testkit';

const MARKER = 'ffffffffffffffffffffffffffffffff';

function bird(): OpenMessage {
  const caps: Capabilities = {
    ...emptyCapabilities(),
    multiprotocol: [
      { afi: Afi.IPv4, safi: Safi.Unicast },
      { afi: Afi.IPv6, safi: Safi.Unicast },
    ],
    routeRefresh: true,
    enhancedRouteRefresh: true,
    extendedMessage: true,
    gracefulRestart: {
      restartState: true,
      notification: false,
      restartTime: 120,
      families: [{ afi: Afi.IPv4, safi: Safi.Unicast, forwardingPreserved: true }],
    },
    fourOctetAs: 65001,
  };
  return { type: MsgType.OPEN, version: 4, myAs: 65001, holdTime: 180, routerId: '10.0.0.1', capabilities: caps };
}

// Laid out as RFC 4271 §4.2 / RFC 5492 show it (as BIRD sends it, one capabilities parameter).
const BIRD_OPEN = `${MARKER} 003f 01
  04 fde9 00b4 0a000001 22
  02 20
    01 04 0001 00 01
    01 04 0002 00 01
    02 00
    46 00
    06 00
    40 06 8078 0001 01 80
    41 04 0000fde9`;

describe('OPEN', () => {
  it('encodes to the RFC layout byte for byte', () => {
    expect(encodeMessage(bird(), EBGP4).toString('hex')).toBe(hex(BIRD_OPEN).toString('hex'));
  });

  it('decodes the same bytes to the same object', () => {
    const r = decode(hex(BIRD_OPEN));
    expect(r.ok).toBe(true);
    expect(r.action).toBe(ErrorAction.NONE);
    expect(r.msg).toEqual(bird());
  });

  it('sends AS_TRANS in My AS for a 4-octet AS and recovers the real AS from the capability', () => {
    const m = bird();
    m.myAs = 4200000000;
    m.capabilities.fourOctetAs = 4200000000;
    const b = encodeMessage(m, EBGP4);
    expect(b.subarray(20, 22).toString('hex')).toBe('5ba0');
    const r = decode(b);
    expect(r.ok).toBe(true);
    const o = r.msg as OpenMessage;
    expect(o.myAs).toBe(23456);
    expect(peerAsOf(o)).toBe(4200000000);
    expect(myAsField(65000)).toBe(65000);
  });

  it('decodes capabilities split over several parameters and keeps unknown ones', () => {
    const b = message(1, '04 fde9 005a 0a000002 12  02 06 0104 0001 0001  02 02 8000  02 04 4302 abcd');
    const r = decode(b);
    expect(r.ok).toBe(true);
    const c = (r.msg as OpenMessage).capabilities;
    expect(c.multiprotocol).toEqual([{ afi: Afi.IPv4, safi: Safi.Unicast }]);
    expect(c.unknown).toEqual([
      { code: 0x80, value: new Uint8Array(0) },
      { code: 0x43, value: Uint8Array.of(0xab, 0xcd) },
    ]);
  });

  it('encodes extended next hop (RFC 8950) and an unknown multiprotocol family', () => {
    const m = bird();
    m.capabilities.extendedNextHop = [{ afi: Afi.IPv4, safi: Safi.Unicast, nextHopAfi: Afi.IPv6 }];
    m.capabilities.unknown = [{ code: 1, value: Uint8Array.of(0, 1, 0, 128) }];
    const b = encodeMessage(m, EBGP4);
    expect(b.toString('hex')).toContain('0506000100010002');
    const r = decode(b);
    expect(r.msg).toEqual(m);
  });

  it('switches to RFC 9072 extended optional parameters beyond 255 bytes', () => {
    const m = bird();
    m.capabilities.unknown = Array.from({ length: 60 }, (_, i) => ({ code: 200 + (i % 50), value: Uint8Array.of(i, i, i, i) }));
    const b = encodeMessage(m, EBGP4);
    // Non-Ext OP Len 255, Non-Ext OP Type 255, then a 2-byte length.
    expect(b.subarray(28, 30).toString('hex')).toBe('ffff');
    expect(b.readUInt16BE(30)).toBe(b.length - 32);
    const r = decode(b);
    expect(r.ok).toBe(true);
    expect(r.msg).toEqual(m);
  });

  it('a capability too large for an ordinary parameter (255-byte value) also uses RFC 9072', () => {
    const m = bird();
    m.capabilities.unknown = [{ code: 250, value: new Uint8Array(255).fill(7) }];
    const b = encodeMessage(m, EBGP4);
    expect(b.subarray(28, 30).toString('hex')).toBe('ffff');
    expect(decode(b).msg).toEqual(m);
  });

  it('graceful restart with N bit and no families', () => {
    const b = message(1, '04 fde9 005a 0a000002 06 02 04 4002 4fff');
    const gr = (decode(b).msg as OpenMessage).capabilities.gracefulRestart;
    expect(gr).toEqual({ restartState: false, notification: true, restartTime: 4095, families: [] });
  });
});

describe('OPEN helpers for the session', () => {
  const open = bird();

  it('Bad BGP Identifier when an iBGP peer uses our router id', () => {
    const n = checkOpenAgainstLocal(open, { localAs: 65001, routerId: '10.0.0.1' });
    expect(n).toEqual({ code: ErrCode.OPEN_MESSAGE, subcode: 3, data: new Uint8Array(0) });
    // Same id from another AS is allowed (RFC 6286 §2.2).
    expect(checkOpenAgainstLocal(open, { localAs: 65002, routerId: '10.0.0.1' })).toBeNull();
  });

  it('Bad Peer AS when the AS is not the configured one', () => {
    expect(checkOpenAgainstLocal(open, { localAs: 65000, routerId: '10.9.9.9', expectedPeerAs: 65002 })?.subcode).toBe(2);
    expect(checkOpenAgainstLocal(open, { localAs: 65000, routerId: '10.9.9.9', expectedPeerAs: [65002, 65001] })).toBeNull();
  });

  it('Unsupported Capability lists what we required', () => {
    const n = unsupportedCapabilityNotification([{ code: 65, value: Uint8Array.of(0, 0, 0xfd, 0xe9) }]);
    expect(n.subcode).toBe(7);
    expect(Buffer.from(n.data).toString('hex')).toBe('41040000fde9');
  });

  it('codec context from both capability sets', () => {
    const local = bird().capabilities;
    const remote = { ...emptyCapabilities(), fourOctetAs: 65002, extendedMessage: false };
    expect(codecContextFor(local, remote, false)).toEqual({ as4: true, extendedMessage: false, ibgp: false, extendedNextHop: [] });
    const both = { ...local, extendedNextHop: [{ afi: Afi.IPv4, safi: Safi.Unicast, nextHopAfi: Afi.IPv6 }] };
    expect(codecContextFor(both, both, true).extendedNextHop).toHaveLength(1);
  });
});
