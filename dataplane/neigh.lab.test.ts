import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netlink, NetlinkError } from './index';
import { createNetns, deleteNetns, ipJson, removeLeftovers, run } from './lab-fixture';

interface BridgeFdb { mac: string; ifname: string; dst?: string; vni?: number; flags: string[]; state?: string }

let ns = '';
let nl: Netlink;

beforeAll(() => {
  removeLeftovers();
  ns = createNetns('nb');
  nl = Netlink.open({ netns: ns });
  nl.links.createVeth({ name: 'tdpu0', peerName: 'tdpu1' });
  nl.addresses.add({ dev: 'tdpu0', address: '198.18.3.1/24' });
  nl.links.setUp('tdpu0');
  nl.links.setUp('tdpu1');
  nl.links.createVxlan({ name: 'tdpvx0', vni: 4096, local: '198.18.3.1', dev: 'tdpu0', mac: '66:aa:bb:cc:dd:01' });
  nl.links.setUp('tdpvx0');
});

afterAll(() => {
  nl?.close();
  deleteNetns(ns);
});

describe('neighbours and FDB (lab)', () => {
  it('permanent ARP and NDP entries read back as ip -j neigh shows them', () => {
    nl.neighbours.add({ dev: 'tdpvx0', dst: '10.65.9.0', lladdr: '66:aa:bb:cc:dd:02' });
    nl.neighbours.replace({ dev: 'tdpu0', dst: 'fd00:3::9', lladdr: '66:aa:bb:cc:dd:03', state: 'permanent' });
    const ours = nl.neighbours.list({ dev: 'tdpvx0', family: 4 });
    expect(ours).toEqual([expect.objectContaining({ dst: '10.65.9.0', lladdr: '66:aa:bb:cc:dd:02', state: ['permanent'], dev: 'tdpvx0', family: 4 })]);
    const v6 = nl.neighbours.list({ family: 6 }).find((n) => n.dst === 'fd00:3::9');
    expect(v6).toMatchObject({ dev: 'tdpu0', lladdr: '66:aa:bb:cc:dd:03', state: ['permanent'] });
    const ip = ipJson<{ dst: string; dev: string; lladdr: string; state: string[] }[]>(ns, ['-4', 'neigh', 'show', 'dev', 'tdpvx0']);
    expect(ip).toEqual([expect.objectContaining({ dst: '10.65.9.0', lladdr: '66:aa:bb:cc:dd:02', state: ['PERMANENT'] })]);

    expect(() => nl.neighbours.add({ dev: 'tdpvx0', dst: '10.65.9.0', lladdr: '66:aa:bb:cc:dd:04' })).toThrow(NetlinkError);
    nl.neighbours.del({ dev: 'tdpvx0', dst: '10.65.9.0' });
    nl.neighbours.del({ dev: 'tdpu0', dst: 'fd00:3::9' });
    expect(nl.neighbours.list({ dev: 'tdpvx0', family: 4 })).toEqual([]);
    try {
      nl.neighbours.del({ dev: 'tdpvx0', dst: '10.65.9.0' });
      throw new Error('expected ENOENT');
    } catch (e) {
      expect((e as NetlinkError).errno).toBe('ENOENT');
    }
  });

  it('VXLAN FDB entries (MAC → remote VTEP) read back as bridge -j fdb shows them', () => {
    nl.fdb.replace({ dev: 'tdpvx0', mac: '66:aa:bb:cc:dd:02', dst: '198.18.3.9' });
    nl.fdb.append({ dev: 'tdpvx0', mac: '00:00:00:00:00:00', dst: '198.18.3.10' });
    nl.fdb.append({ dev: 'tdpvx0', mac: '00:00:00:00:00:00', dst: '198.18.3.11' });
    const ours = nl.fdb.list({ dev: 'tdpvx0' }).filter((e) => e.dst).map((e) => `${e.mac} ${e.dst} ${e.self} ${e.state.join(',')} ${e.dev}`).sort();
    expect(ours).toEqual([
      '00:00:00:00:00:00 198.18.3.10 true permanent tdpvx0',
      '00:00:00:00:00:00 198.18.3.11 true permanent tdpvx0',
      '66:aa:bb:cc:dd:02 198.18.3.9 true permanent tdpvx0',
    ]);
    const bridge = JSON.parse(run('ip', ['netns', 'exec', ns, 'bridge', '-j', 'fdb', 'show', 'dev', 'tdpvx0'])) as BridgeFdb[];
    const theirs = bridge.filter((e) => e.dst).map((e) => `${e.mac} ${e.dst} ${e.flags.includes('self')} ${e.state ?? ''} tdpvx0`).sort();
    expect(theirs).toEqual(ours);

    nl.fdb.del({ dev: 'tdpvx0', mac: '00:00:00:00:00:00', dst: '198.18.3.10' });
    nl.fdb.del({ dev: 'tdpvx0', mac: '66:aa:bb:cc:dd:02' });
    const left = nl.fdb.list({ dev: 'tdpvx0' }).filter((e) => e.dst).map((e) => `${e.mac} ${e.dst}`);
    expect(left).toEqual(['00:00:00:00:00:00 198.18.3.11']);
    try {
      nl.fdb.del({ dev: 'tdpvx0', mac: '66:aa:bb:cc:dd:02' });
      throw new Error('expected ENOENT');
    } catch (e) {
      expect((e as NetlinkError).errno).toBe('ENOENT');
    }
  });
});
