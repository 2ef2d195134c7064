import { describe, it, expect } from 'vitest';
import * as L from './leaves';

const value = <T>(r: L.Parsed<T>) => (r.ok ? r.value : undefined);

describe('AS numbers', () => {
  it('accepts asplain numbers and strings and asdot', () => {
    expect(value(L.asNumber(1))).toBe(1);
    expect(value(L.asNumber(4294967295))).toBe(4294967295);
    expect(value(L.asNumber('65001'))).toBe(65001);
    expect(value(L.asNumber('1.10'))).toBe(65546);
  });
  it('rejects out-of-range, fractional, malformed and AS_TRANS', () => {
    for (const bad of [0, -1, 4294967296, 65001.5, '65001x', '', '1.65536', null, true]) {
      const r = L.asNumber(bad);
      expect(r.ok, String(bad)).toBe(false);
      if (!r.ok) expect(r.expected).toBe('an AS number 1–4294967295');
    }
    const t = L.asNumber(23456);
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.expected).toContain('AS_TRANS');
  });
});

describe('timers', () => {
  it('hold time is 0 or 3–65535 seconds, as a number or a duration', () => {
    expect(value(L.holdTime(0))).toBe(0);
    expect(value(L.holdTime(3))).toBe(3);
    expect(value(L.holdTime('90s'))).toBe(90);
    expect(value(L.holdTime('1m30s'))).toBe(90);
    expect(value(L.holdTime('2m'))).toBe(120);
    for (const bad of [1, 2, 65536, '90', '90 s', '1.5m', -3, 9.5]) expect(L.holdTime(bad).ok, String(bad)).toBe(false);
  });
  it('graceful restart time fits the 12-bit field', () => {
    expect(value(L.restartTime(4095))).toBe(4095);
    expect(L.restartTime(4096).ok).toBe(false);
    expect(L.restartTime(0).ok).toBe(false);
  });
});

describe('ports and booleans', () => {
  it('port is 1–65535', () => {
    expect(value(L.port(179))).toBe(179);
    expect(L.port(0).ok).toBe(false);
    expect(L.port(65536).ok).toBe(false);
    expect(L.port('179').ok).toBe(false);
  });
  it('explains YAML 1.1 booleans', () => {
    const r = L.boolean('yes');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.hint).toMatch(/YAML 1\.2/);
    expect(value(L.boolean(false))).toBe(false);
  });
});

describe('addresses', () => {
  it('router ID is a non-zero dotted quad or "hash", with a hint for IPv6', () => {
    expect(value(L.routerId('198.18.0.1'))).toBe('198.18.0.1');
    expect(value(L.routerId('hash'))).toBe('hash');
    expect(L.routerId('0.0.0.0').ok).toBe(false);
    expect(L.routerId(3323068417).ok).toBe(false);
    const v6 = L.routerId('fd00::1');
    expect(v6.ok).toBe(false);
    if (!v6.ok) expect(v6.hint).toMatch(/32 bits/);
  });
  it('family-specific addresses point at the other key on a v4/v6 mix-up', () => {
    const r = L.nodeAddress(4, 'nodeAddressV6')('fd00::1');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.hint).toBe('that is an IPv6 address; IPv6 belongs in nodeAddressV6');
    expect(value(L.nodeAddress(4, 'nodeAddressV6')('198.18.0.1/24'))).toEqual({ address: '198.18.0.1', subnet: '198.18.0.0/24' });
    expect(value(L.ipAddress()('2001:DB8::0:1'))).toBe('2001:db8::1');
  });
  it('CIDRs with host bits suggest the network', () => {
    const r = L.cidr()('10.244.7.0/16');
    expect(r).toEqual({ ok: false, expected: 'a network address with no host bits set', hint: 'did you mean "10.244.0.0/16"?' });
    const noLen = L.cidr()('10.0.0.1');
    expect(noLen.ok).toBe(false);
    if (!noLen.ok) expect(noLen.hint).toMatch(/\/32/);
  });
});

describe('communities and enums', () => {
  it('standard and large communities', () => {
    expect(value(L.community(false)('65000:100'))).toBe('65000:100');
    expect(value(L.community(false)('no-export'))).toBe('65535:65281');
    expect(L.community(false)('65536:1').ok).toBe(false);
    expect(L.community(false)('65000:*').ok).toBe(false);
    expect(value(L.community(true)('65000:*'))).toBe('65000:*');
    const three = L.community(false)('1:2:3');
    expect(three.ok).toBe(false);
    if (!three.ok) expect(three.hint).toMatch(/largeCommunities/);
    expect(value(L.largeCommunity(false)('4294967295:1:2'))).toBe('4294967295:1:2');
    expect(L.largeCommunity(false)('4294967296:1:2').ok).toBe(false);
  });
  it('enum values get a did-you-mean', () => {
    expect(L.oneOf(['none', 'ipip', 'vxlan'])('IPIP')).toEqual({ ok: false, expected: 'one of none, ipip, vxlan', hint: 'did you mean "ipip"?' });
  });
  it('socket paths fit sun_path', () => {
    expect(L.socketPath('/' + 'a'.repeat(106)).ok).toBe(true);
    expect(L.socketPath('/' + 'a'.repeat(107)).ok).toBe(false);
    expect(L.socketPath('run/bgpd.sock').ok).toBe(false);
  });
});
