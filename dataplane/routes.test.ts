import { describe, expect, it } from 'vitest';
import { MessageWriter } from './netlink/encode';
import { parseMessages } from './netlink/decode';
import { RTA_TABLE, RTM_NEWROUTE } from './netlink/constants';
import { decodeRoute, describeRoute, encodeRoute, toWire } from './routes';
import type { Route } from './routes';

const devs: Record<string, number> = { eth0: 2, eth1: 3 };
const resolve = (d: string): number => {
  const i = devs[d];
  if (i === undefined) throw new Error(`no dev ${d}`);
  return i;
};

function roundTrip(r: Route, isDelete = false): Route {
  const w = new MessageWriter();
  w.begin(RTM_NEWROUTE, 0, 1);
  encodeRoute(w, toWire(r, isDelete, resolve));
  w.end();
  const back = decodeRoute(parseMessages(w.toBuffer())[0]);
  if (!back) throw new Error('no route decoded');
  return back;
}

describe('route codec', () => {
  it('round-trips a /32 via gateway with protocol, dev, metric', () => {
    expect(roundTrip({ dst: '10.0.0.1/32', gateway: '198.18.0.2', dev: 'eth0', protocol: 201, priority: 10 })).toEqual({
      dst: '10.0.0.1/32', family: 4, table: 254, protocol: 201, scope: 'universe', type: 'unicast',
      gateway: '198.18.0.2', oif: 2, priority: 10,
    });
  });

  it('defaults: link scope without gateway, boot protocol on add, wildcard fields on delete', () => {
    expect(roundTrip({ dst: '10.0.0.1', dev: 'eth0' })).toMatchObject({ dst: '10.0.0.1/32', scope: 'link', protocol: 3 });
    expect(roundTrip({ dst: '10.0.0.0/24', type: 'blackhole' })).toMatchObject({ type: 'blackhole', scope: 'universe' });
    expect(roundTrip({ dst: '10.0.0.0/24', type: 'local', dev: 'eth0' })).toMatchObject({ scope: 'host' });
    const del = toWire({ dst: '10.0.0.0/24' }, true, resolve);
    expect(del).toMatchObject({ scope: 255, protocol: 0, type: 0 });
  });

  it('encodes onlink, tables above 255 (RTA_TABLE), blackhole and IPv6', () => {
    expect(roundTrip({ dst: '10.1.0.0/26', gateway: '203.0.113.1', dev: 'eth1', onlink: true })).toMatchObject({ onlink: true, oif: 3 });
    const w = new MessageWriter();
    w.begin(RTM_NEWROUTE, 0, 1);
    encodeRoute(w, toWire({ dst: '10.1.0.0/26', type: 'unreachable', table: 1000 }, false, resolve));
    w.end();
    const p = parseMessages(w.toBuffer())[0].payload;
    expect(p[4]).toBe(0); // rtm_table can only hold < 256
    expect(p.readUInt16LE(14)).toBe(RTA_TABLE);
    expect(decodeRoute(parseMessages(w.toBuffer())[0])).toMatchObject({ table: 1000, type: 'unreachable' });
    expect(roundTrip({ dst: 'default', family: 6, gateway: 'fe80::1', dev: 'eth0' })).toMatchObject({ dst: '::/0', family: 6, gateway: 'fe80::1' });
    expect(roundTrip({ dst: 'fd00:1::/64', type: 'blackhole', table: 100 })).toMatchObject({ dst: 'fd00:1::/64', type: 'blackhole', table: 100 });
  });

  it('encodes ECMP next hops with weights and per-hop onlink', () => {
    const back = roundTrip({
      dst: '10.2.0.0/24', protocol: 201,
      nexthops: [{ gateway: '198.18.0.2', dev: 'eth0', weight: 3 }, { gateway: '203.0.113.9', dev: 'eth1', onlink: true }],
    });
    expect(back.nexthops).toEqual([
      { gateway: '198.18.0.2', oif: 2, weight: 3 },
      { gateway: '203.0.113.9', oif: 3, weight: 1, onlink: true },
    ]);
    expect(back.scope).toBe('universe');
  });

  it('encodes a nexthop-object reference (RTA_NH_ID) with universe scope', () => {
    expect(roundTrip({ dst: '10.3.0.0/24', nhid: 7, protocol: 201 })).toMatchObject({ nhid: 7, scope: 'universe', protocol: 201 });
  });

  it('rejects bad input before anything is sent', () => {
    expect(() => toWire({ dst: '10.0.0.0/24', gateway: 'fd00::1' }, false, resolve)).toThrow(/not IPv4/);
    expect(() => toWire({ dst: '10.0.0.0/40' }, false, resolve)).toThrow();
    expect(() => toWire({ dst: '10.0.0.0/24', dev: 'nope' }, false, resolve)).toThrow(/no dev/);
    expect(() => toWire({ dst: '10.0.0.0/24', nexthops: [{ gateway: '10.0.0.1', weight: 0 }] }, false, resolve)).toThrow(/weight/);
  });

  it('describes requests for error messages', () => {
    expect(describeRoute('add', { dst: '10.0.0.0/24', gateway: '198.18.0.2', dev: 'eth0', protocol: 201, onlink: true }))
      .toBe('add 10.0.0.0/24 via 198.18.0.2 dev eth0 onlink table 254 proto 201');
    expect(describeRoute('del', { dst: '10.0.0.0/24', type: 'blackhole', table: 100 })).toBe('del blackhole 10.0.0.0/24 table 100');
  });
});
