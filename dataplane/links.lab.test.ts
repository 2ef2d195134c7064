import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netlink, NetlinkError, netnsId, withNetns } from './index';
import { createNetns, deleteNetns, ipJson, removeLeftovers, run, status } from './lab-fixture';

interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  address: string;
  flags: string[];
  operstate: string;
  linkinfo?: { info_kind: string; info_data?: Record<string, unknown> };
}

const made: string[] = [];
function netns(tag: string): string {
  const n = createNetns(tag);
  made.push(n);
  return n;
}

beforeAll(() => removeLeftovers());
afterAll(() => made.forEach(deleteNetns));

describe('links (lab)', () => {
  it('a veth created with its peer in another netns joins the two namespaces (ping)', () => {
    const a = netns('pa');
    const b = netns('pb');
    const nla = Netlink.open({ netns: a });
    const nlb = Netlink.open({ netns: `/var/run/netns/${b}` });
    try {
      nla.links.createVeth({ name: 'tdpa0', peerName: 'tdpb0', peerNetns: b });
      expect(nla.links.get('tdpb0')).toBeUndefined();
      const peer = nlb.links.get('tdpb0');
      expect(peer?.kind).toBe('veth');
      nla.addresses.add({ dev: 'tdpa0', address: '198.18.1.1/24' });
      nlb.addresses.add({ dev: 'tdpb0', address: '198.18.1.2/24' });
      nla.links.setUp('tdpa0');
      nlb.links.setUp('tdpb0');
      expect(status('ip', ['netns', 'exec', a, 'ping', '-c1', '-W1', '198.18.1.2'])).toBe(0);
      expect(status('ip', ['netns', 'exec', b, 'ping', '-c1', '-W1', '198.18.1.1'])).toBe(0);
      // and the sockets really are in their namespaces, not the test process's
      expect(nla.links.list().map((l) => l.name).sort()).toEqual(['lo', 'tdpa0']);
      expect(nlb.links.list().map((l) => l.name).sort()).toEqual(['lo', 'tdpb0']);
    } finally {
      nla.close();
      nlb.close();
    }
  });

  it('sets MAC, MTU, name and up state, read back the same as ip -j link', () => {
    const ns = netns('lk');
    const nl = Netlink.open({ netns: ns });
    try {
      nl.links.createVeth({ name: 'tdpx0', peerName: 'tdpx1', mtu: 1400 });
      nl.links.set('tdpx0', { mac: 'ee:ee:ee:00:00:01', mtu: 1450 });
      nl.links.rename('tdpx0', 'tdpcali0');
      nl.links.setUp('tdpcali0');
      nl.links.setUp('tdpx1');
      const l = nl.links.get('tdpcali0');
      expect(l).toMatchObject({ name: 'tdpcali0', mtu: 1450, mac: 'ee:ee:ee:00:00:01', up: true, kind: 'veth' });
      expect(nl.links.get('tdpx0')).toBeUndefined();
      const ip = ipJson<IpLink[]>(ns, ['-d', 'link', 'show', 'dev', 'tdpcali0'])[0];
      expect(ip).toMatchObject({ ifindex: l?.index, mtu: 1450, address: 'ee:ee:ee:00:00:01' });
      expect(ip.flags).toContain('UP');
      expect(nl.links.get(l?.index ?? -1)?.name).toBe('tdpcali0');
      const peer = nl.links.get('tdpx1');
      expect(peer?.parentIndex).toBe(l?.index);
      expect(peer?.mtu).toBe(1400);

      const listed = nl.links.list();
      const ipList = ipJson<IpLink[]>(ns, ['link', 'show']);
      expect(listed.map((x) => [x.index, x.name, x.mtu, x.mac]).sort()).toEqual(ipList.map((x) => [x.ifindex, x.ifname, x.mtu, x.address]).sort());

      nl.links.setDown('tdpcali0');
      expect(nl.links.get('tdpcali0')?.up).toBe(false);
      expect(ipJson<IpLink[]>(ns, ['link', 'show', 'dev', 'tdpcali0'])[0].flags).not.toContain('UP');

      nl.links.del('tdpcali0');
      expect(nl.links.get('tdpcali0')).toBeUndefined();
      expect(nl.links.get('tdpx1')).toBeUndefined(); // the peer goes with it
      let err: unknown;
      try {
        nl.links.del('tdpcali0');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).errno).toBe('ENODEV');
      expect((err as NetlinkError).request).toContain('tdpcali0');
      try {
        nl.links.createVeth({ name: 'lo', peerName: 'tdpy1' });
        throw new Error('expected EEXIST');
      } catch (e) {
        expect((e as NetlinkError).errno).toBe('EEXIST');
      }
    } finally {
      nl.close();
    }
  });

  it('moves a link into another netns by path', () => {
    const a = netns('ma');
    const b = netns('mb');
    const nla = Netlink.open({ netns: a });
    const nlb = Netlink.open({ netns: b });
    try {
      nla.links.createVeth({ name: 'tdpm0', peerName: 'tdpm1' });
      nla.links.moveToNetns('tdpm1', `/var/run/netns/${b}`);
      expect(nla.links.get('tdpm1')).toBeUndefined();
      expect(nlb.links.get('tdpm1')?.kind).toBe('veth');
      expect(ipJson<IpLink[]>(b, ['link', 'show', 'dev', 'tdpm1'])[0].ifname).toBe('tdpm1');
    } finally {
      nla.close();
      nlb.close();
    }
  });

  it('creates a vxlan device (VNI, port, local IP, underlay dev, learning off)', () => {
    const ns = netns('vx');
    const nl = Netlink.open({ netns: ns });
    try {
      nl.links.createVeth({ name: 'tdpu0', peerName: 'tdpu1' });
      nl.addresses.add({ dev: 'tdpu0', address: '198.18.2.1/24' });
      nl.links.createVxlan({ name: 'tdpvx0', vni: 4096, port: 4789, local: '198.18.2.1', dev: 'tdpu0', mtu: 1410, mac: '66:aa:bb:cc:dd:01' });
      const vx = nl.links.get('tdpvx0');
      const under = nl.links.get('tdpu0');
      expect(vx).toMatchObject({ kind: 'vxlan', mtu: 1410, mac: '66:aa:bb:cc:dd:01' });
      expect(vx?.vxlan).toEqual({ vni: 4096, port: 4789, local: '198.18.2.1', linkIndex: under?.index, learning: false });
      const ip = ipJson<IpLink[]>(ns, ['-d', 'link', 'show', 'dev', 'tdpvx0'])[0];
      expect(ip.linkinfo?.info_kind).toBe('vxlan');
      expect(ip.linkinfo?.info_data).toMatchObject({ id: 4096, local: '198.18.2.1', link: 'tdpu0', port: 4789, learning: false });
    } finally {
      nl.close();
    }
  });
});

describe('netns switching (lab)', () => {
  it('withNetns runs the body inside the netns and always switches back, even on throw', () => {
    const ns = netns('sw');
    const before = netnsId();
    expect(withNetns(ns, () => netnsId())).toBe(netnsId(ns));
    expect(netnsId()).toBe(before);
    expect(() => withNetns(ns, () => { throw new Error('boom'); })).toThrow('boom');
    expect(netnsId()).toBe(before);
    expect(() => withNetns(ns, () => Promise.resolve(1))).toThrow(/synchronous/);
    expect(netnsId()).toBe(before);
    try {
      withNetns('/var/run/netns/tdp-does-not-exist', () => 1);
      throw new Error('expected ENOENT');
    } catch (e) {
      expect((e as NetlinkError).errno).toBe('ENOENT');
      expect((e as NetlinkError).request).toContain('tdp-does-not-exist');
    }
    expect(() => Netlink.open({ netns: 'tdp-does-not-exist' })).toThrow(/ENOENT/);
    expect(netnsId()).toBe(before);
    try {
      withNetns('/etc/hostname', () => 1);
      throw new Error('expected EINVAL');
    } catch (e) {
      expect((e as NetlinkError).errno).toBe('EINVAL');
    }
    expect(netnsId()).toBe(before);
  });

  it('opens a netns by any path a runtime may give, e.g. /proc/<pid>/ns/net', async () => {
    const ns = netns('pp');
    run('ip', ['-n', ns, 'link', 'add', 'tdpq0', 'type', 'veth', 'peer', 'name', 'tdpq1']);
    const child = spawn('ip', ['netns', 'exec', ns, 'sleep', '30'], { stdio: 'ignore' });
    try {
      const path = `/proc/${child.pid}/ns/net`;
      // ip netns exec forks/execs sleep in place; wait until the process is inside the netns
      for (let i = 0; i < 100 && netnsId(path) !== netnsId(ns); i++) await new Promise((r) => setTimeout(r, 20));
      expect(netnsId(path)).toBe(netnsId(ns));
      const nl = Netlink.open({ netns: path });
      try {
        expect(nl.links.list().map((l) => l.name).sort()).toEqual(['lo', 'tdpq0', 'tdpq1']);
      } finally {
        nl.close();
      }
    } finally {
      child.kill();
    }
  });

  it('sysctl writes apply inside the target netns only', () => {
    const a = netns('sa');
    const b = netns('sb');
    const nla = Netlink.open({ netns: a });
    try {
      nla.links.createVeth({ name: 'tdps0', peerName: 'tdps1' });
      const readIn = (ns: string, key: string): string => run('ip', ['netns', 'exec', ns, 'sysctl', '-n', key]).trim();
      nla.sysctl.write('net.ipv4.ip_forward', 1);
      nla.sysctl.writeInterface('ipv4', 'tdps0', 'proxy_arp', 1);
      nla.sysctl.writeInterface('ipv4', 'tdps0', 'rp_filter', 0);
      nla.sysctl.writeInterface('ipv6', 'tdps0', 'accept_ra', 0);
      expect(readIn(a, 'net.ipv4.ip_forward')).toBe('1');
      expect(readIn(a, 'net.ipv4.conf.tdps0.proxy_arp')).toBe('1');
      expect(readIn(a, 'net.ipv6.conf.tdps0.accept_ra')).toBe('0');
      expect(nla.sysctl.readInterface('ipv4', 'tdps0', 'proxy_arp')).toBe('1');
      expect(readIn(b, 'net.ipv4.ip_forward')).toBe('0');
      expect(nla.sysctl.read('net.ipv4.ip_forward')).toBe('1');
      expect(() => nla.sysctl.writeInterface('ipv4', 'tdpnothere', 'proxy_arp', 1)).toThrow(/ENOENT/);
    } finally {
      nla.close();
    }
  });
});
