import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netlink } from './index';
import type { MonitorEvent } from './index';
import { createNetns, deleteNetns, removeLeftovers, run } from './lab-fixture';

let ns = '';
let nl: Netlink;

beforeAll(() => {
  removeLeftovers();
  ns = createNetns('mo');
  nl = Netlink.open({ netns: ns });
  nl.links.createVeth({ name: 'tdpo0', peerName: 'tdpo1' });
  nl.addresses.add({ dev: 'tdpo0', address: '198.18.4.1/24' });
  nl.links.setUp('tdpo0');
  nl.links.setUp('tdpo1');
});

afterAll(() => {
  nl?.close();
  deleteNetns(ns);
});

describe('monitor (lab)', () => {
  it('sees routes added and deleted by `ip route` in the namespace, and link changes', async () => {
    const mon = nl.monitor({ intervalMs: 5 });
    try {
      const events: MonitorEvent[] = [];
      mon.on((ev) => events.push(ev));
      const added = mon.waitFor((ev) => ev.kind === 'route' && ev.action === 'new' && ev.route.dst === '10.40.0.0/24');
      // spawnSync blocks the loop, so the event can only be picked up by a later poll: proves async delivery
      run('ip', ['-n', ns, 'route', 'add', '10.40.0.0/24', 'via', '198.18.4.2', 'proto', '201']);
      const ev = await added;
      expect(ev).toMatchObject({ kind: 'route', action: 'new', route: { dst: '10.40.0.0/24', gateway: '198.18.4.2', protocol: 201 } });

      const deleted = mon.waitFor((e) => e.kind === 'route' && e.action === 'del' && e.route.dst === '10.40.0.0/24');
      run('ip', ['-n', ns, 'route', 'del', '10.40.0.0/24']);
      await deleted;

      const down = mon.waitFor((e) => e.kind === 'link' && e.link.name === 'tdpo1' && !e.link.up);
      run('ip', ['-n', ns, 'link', 'set', 'tdpo1', 'down']);
      await down;

      // events from other namespaces are not seen
      const other = createNetns('mx');
      try {
        run('ip', ['-n', other, 'route', 'add', 'blackhole', '10.41.0.0/24']);
        await new Promise((r) => setTimeout(r, 50));
        expect(events.some((e) => e.kind === 'route' && e.route.dst === '10.41.0.0/24')).toBe(false);
      } finally {
        deleteNetns(other);
      }
    } finally {
      mon.close();
    }
  });

  it('delivers every event of a 10k-route batch without overflow', async () => {
    const mon = nl.monitor({ intervalMs: 5, links: false });
    try {
      let adds = 0;
      let overflow = 0;
      mon.on((ev) => {
        if (ev.kind === 'overflow') overflow++;
        else if (ev.kind === 'route' && ev.action === 'new' && ev.route.protocol === 202) adds++;
      });
      const ops = Array.from({ length: 10_000 }, (_, i) => ({
        op: 'add' as const, route: { dst: `10.50.${i >> 8}.${i & 255}/32`, gateway: '198.18.4.2', protocol: 202 },
      }));
      expect(nl.routes.batch(ops).every((e) => e === null)).toBe(true);
      const t0 = Date.now();
      while (adds < 10_000 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
      expect(overflow).toBe(0);
      expect(adds).toBe(10_000);
    } finally {
      mon.close();
    }
  });

  it('reports address changes when asked to', async () => {
    const mon = nl.monitor({ intervalMs: 5, routes: false, links: false, addresses: true });
    try {
      const seen = mon.waitFor((e) => e.kind === 'address' && e.action === 'new' && e.address.address === '198.18.4.77/32');
      run('ip', ['-n', ns, 'addr', 'add', '198.18.4.77/32', 'dev', 'tdpo0']);
      const ev = await seen;
      expect(ev).toMatchObject({ kind: 'address', address: { family: 4, index: nl.links.index('tdpo0') } });
      const gone = mon.waitFor((e) => e.kind === 'address' && e.action === 'del' && e.address.address === '198.18.4.77/32');
      nl.addresses.del({ dev: 'tdpo0', address: '198.18.4.77/32' });
      await gone;
    } finally {
      mon.close();
    }
  });

  it('close() stops delivery and waitFor times out cleanly', async () => {
    const mon = nl.monitor({ intervalMs: 5 });
    await expect(mon.waitFor(() => false, 30)).rejects.toThrow(/no matching event/);
    let count = 0;
    mon.on(() => { count++; });
    mon.close();
    run('ip', ['-n', ns, 'route', 'add', 'blackhole', '10.42.0.0/24']);
    await new Promise((r) => setTimeout(r, 30));
    mon.poll();
    expect(count).toBe(0);
  });
});
