// The Calico pod wiring a CNI ADD performs, done only through this layer, proven with ping.
// host netns: caliX (ee:ee:ee:ee:ee:ee, proxy_arp, forwarding), route pod/32 dev caliX scope link,
//             an uplink with a default route (proxy ARP only answers for destinations routed elsewhere);
// pod netns:  eth0 with 10.65.0.5/32, 169.254.1.1 dev eth0 scope link, default via 169.254.1.1;
//             fd00:65::5/128, default via fe80::ecee:eeff:feee:eeee (the host end's link-local).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netlink, RTPROT_TORTIE } from './index';
import { createNetns, deleteNetns, removeLeftovers, status } from './lab-fixture';

let host = '';
let pod = '';

beforeAll(() => {
  removeLeftovers();
  host = createNetns('ch');
  pod = createNetns('cp');
});

afterAll(() => {
  deleteNetns(host);
  deleteNetns(pod);
});

describe('Calico-style pod wiring (lab)', () => {
  it('CNI ADD through this API gives a pod that reaches the host over IPv4 and IPv6', () => {
    const h = Netlink.open({ netns: host });
    const p = Netlink.open({ netns: `/var/run/netns/${pod}` }); // as CNI_NETNS would give it
    try {
      // uplink with an address and a default route
      h.links.createVeth({ name: 'tdpup0', peerName: 'tdpup1' });
      h.links.setUp('tdpup0');
      h.links.setUp('tdpup1');
      h.addresses.add({ dev: 'tdpup0', address: '198.18.8.1/24' });
      h.routes.add({ dst: 'default', family: 4, gateway: '198.18.8.2' });
      h.addresses.add({ dev: 'tdpup0', address: 'fd00:8::1/64', nodad: true });

      // veth: host end caliX, pod end created directly as eth0 in the pod netns
      h.links.createVeth({ name: 'tdpcali1', peerName: 'eth0', peerNetns: pod, mtu: 1450, mac: 'ee:ee:ee:ee:ee:ee' });
      h.sysctl.writeInterface('ipv4', 'tdpcali1', 'proxy_arp', 1);
      h.sysctl.writeInterface('ipv4', 'tdpcali1', 'forwarding', 1);
      // no DAD on the host end: its link-local address (the pods' IPv6 gateway) is usable at once
      h.sysctl.writeInterface('ipv6', 'tdpcali1', 'accept_dad', 0);
      h.links.setUp('tdpcali1');

      p.links.setUp('eth0');
      p.addresses.add({ dev: 'eth0', address: '10.65.0.5/32' });
      p.routes.add({ dst: '169.254.1.1/32', dev: 'eth0', scope: 'link' });
      p.routes.add({ dst: 'default', family: 4, gateway: '169.254.1.1', dev: 'eth0' });
      p.addresses.add({ dev: 'eth0', address: 'fd00:65::5/128', nodad: true });
      // IPv6 gateway = the host end's EUI-64 link-local address for MAC ee:ee:ee:ee:ee:ee
      p.routes.add({ dst: 'default', family: 6, gateway: 'fe80::ecee:eeff:feee:eeee', dev: 'eth0' });

      h.routes.add({ dst: '10.65.0.5/32', dev: 'tdpcali1', scope: 'link', protocol: RTPROT_TORTIE });
      h.routes.add({ dst: 'fd00:65::5/128', dev: 'tdpcali1', protocol: RTPROT_TORTIE });

      expect(p.links.get('eth0')).toMatchObject({ mtu: 1450, up: true });
      expect(h.links.get('tdpcali1')).toMatchObject({ mac: 'ee:ee:ee:ee:ee:ee', mtu: 1450 });
      expect(status('ip', ['netns', 'exec', pod, 'ping', '-c1', '-W2', '198.18.8.1'])).toBe(0);
      expect(status('ip', ['netns', 'exec', host, 'ping', '-c1', '-W2', '10.65.0.5'])).toBe(0);
      expect(h.addresses.list({ dev: 'tdpcali1', family: 6 }).map((a) => a.address)).toContain('fe80::ecee:eeff:feee:eeee/64');
      expect(status('ip', ['netns', 'exec', pod, 'ping', '-6', '-c1', '-W2', 'fd00:8::1'])).toBe(0);
      expect(status('ip', ['netns', 'exec', host, 'ping', '-6', '-c1', '-W2', 'fd00:65::5'])).toBe(0);

      // CNI DEL: deleting the host end removes the pair; the pod keeps only lo
      h.links.del('tdpcali1');
      expect(p.links.list().map((l) => l.name)).toEqual(['lo']);
      expect(h.routes.dump({ protocol: RTPROT_TORTIE })).toEqual([]); // the kernel dropped the /32 with its device
    } finally {
      h.close();
      p.close();
    }
  });
});
