import { describe, expect, it } from 'vitest';
import { podMtu, underlayMtu } from './mtu';

describe('pod MTU', () => {
  const links = [
    { name: 'lo', mtu: 65536, up: true },
    { name: 'eth0', mtu: 1500, up: true },
    { name: 'ens5', mtu: 9001, up: true },
    { name: 'eth1', mtu: 1400, up: false },
    { name: 'cali123', mtu: 1000, up: true },
  ];
  it('underlay = smallest up physical-looking link, else 1460', () => {
    expect(underlayMtu(links)).toBe(1500);
    expect(underlayMtu([{ name: 'lo', mtu: 65536, up: true }])).toBe(1460);
  });
  it('netconf mtu wins, else underlay minus the largest overhead of the pod addresses', () => {
    const hostLinks = () => links;
    expect(podMtu({ confMtu: 1300, addresses: [{ family: 4, encapsulation: 'vxlan' }], hostLinks })).toBe(1300);
    expect(podMtu({ addresses: [{ family: 4, encapsulation: 'ipip' }], hostLinks })).toBe(1480);
    expect(podMtu({ addresses: [{ family: 4, encapsulation: 'vxlan' }], hostLinks })).toBe(1450);
    expect(podMtu({ addresses: [{ family: 4, encapsulation: 'none' }, { family: 6, encapsulation: 'vxlan' }], hostLinks })).toBe(1430);
    expect(podMtu({ confUnderlayMtu: 9000, confEncapsulation: 'vxlan', addresses: [{ family: 4, encapsulation: 'none' }], hostLinks })).toBe(8950);
  });
  it('does not read host links when the MTU is configured', () => {
    let read = false;
    podMtu({ confMtu: 1400, addresses: [], hostLinks: () => ((read = true), links) });
    expect(read).toBe(false);
  });
});
