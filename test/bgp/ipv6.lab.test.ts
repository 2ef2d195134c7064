// Dual stack with the real bgpd: an IPv4 and an IPv6 session to BIRD, each carrying its family.
import { describe, it, expect } from 'vitest';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { BirdDaemon } from '../lab/daemons/bird';
import { Tortie } from './tortie';
import type { RouteRow } from '../../bgpd/control/protocol';

describe('tortie bgpd ↔ BIRD over IPv6', () => {
  const lab = useLab({ prefix: 'tbg' });

  it('IPv6 routes both ways on an IPv6 session (MP-BGP), next hop our v6 address', async () => {
    const a = await lab().host('a');
    const b = await lab().host('b');
    await lab().link(a, b, { addrA: '198.18.69.1/24', addrB: '198.18.69.2/24', v6: { addrA: 'fd00:69::1/64', addrB: 'fd00:69::2/64' } });
    const bird = await BirdDaemon.start(b, {
      routerId: '198.18.69.2', localAs: 65002, localAddress: '198.18.69.2', localAddress6: 'fd00:69::2',
      neighbors: [{ address: 'fd00:69::1', as: 65001 }],
      routes: [{ prefix: 'fd00:6902::/48' }],
    });
    const t = await Tortie.start(a, {
      routerId: '198.18.69.1', asNumber: 65001, listen: '198.18.69.1',
      peers: [{ name: 'bird6', address: 'fd00:69::2', asNumber: 65002 }],
      advertisePrefixes: ['fd00:6901::/48'],
      extra: { nodeAddressV6: 'fd00:69::1', listen: { port: 179 } },
    });
    await waitFor(async () => {
      const p = await t.peer('bird6');
      return p?.state === 'Established' && p.accepted === 1 && p.sent === 1;
    }, { what: 'v6 session with one route each way', timeoutMs: 20_000 });
    const [r] = JSON.parse((await t.ctl(['show', 'routes', '--family', 'ipv6', '--json'])).stdout) as RouteRow[];
    expect(r).toMatchObject({ prefix: 'fd00:6901::/48' });
    const theirs = JSON.parse((await t.ctl(['show', 'routes', 'fd00:6902::/48', '--json'])).stdout) as RouteRow[];
    expect(theirs[0].paths[0]).toMatchObject({ best: true, from: 'bird6', nextHop: 'fd00:69::2', asPath: '65002' });
    const got = await waitFor(async () => (await bird.routes()).find((x) => x.prefix === 'fd00:6901::/48'), { what: 'our v6 route at BIRD' });
    expect(got.asPath).toEqual([65001]);
    expect(got.nextHop).toBe('fd00:69::1');
    // the text view gives a long IPv6 prefix a line of its own and keeps 80 columns
    const text = (await t.ctl(['show', 'routes'])).stdout;
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    expect(text).toMatch(/fd00:6902::\/48/);
  }, 90_000);
});
