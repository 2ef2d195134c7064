// Route reflection with the real bgpd: tortie as the reflector of three BIRD clients, and tortie as
// a client of a BIRD reflector.
import { describe, it, expect } from 'vitest';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { BirdDaemon } from '../lab/daemons/bird';
import { Tortie } from './tortie';
import type { RouteRow } from '../../bgpd/control/protocol';

const AS = 64512;

/** `birdc show route all for PREFIX` → the BGP attributes BIRD shows. */
async function birdAttrs(bird: BirdDaemon, prefix: string): Promise<Record<string, string>> {
  const text = await bird.birdc(['show', 'route', 'all', 'for', prefix]);
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/BGP\.(\w+):[ \t]*(.*)$/gm)) out[m[1]] = m[2].trim();
  // BIRD lists the resolved next hop as "via ADDR on IF" rather than as BGP.next_hop for direct iBGP
  const via = /\bvia (\S+)/.exec(text);
  if (via) out.via = via[1];
  return out;
}

describe('route reflection', () => {
  const lab = useLab({ prefix: 'tbg' });

  it('tortie reflects between three BIRD clients with ORIGINATOR_ID and CLUSTER_LIST', async () => {
    const hosts = [await lab().host('rr'), await lab().host('c1'), await lab().host('c2'), await lab().host('c3')];
    await lab().bridge('u', hosts, { subnet: '198.18.61.0/24' });
    const addr = (i: number): string => `198.18.61.${i + 1}`;
    const clients = await Promise.all([1, 2, 3].map((i) => BirdDaemon.start(hosts[i], {
      routerId: addr(i), localAs: AS, localAddress: addr(i),
      neighbors: [{ address: addr(0), as: AS }],
      routes: [{ prefix: `10.30.${i}.0/24` }],
    })));
    const t = await Tortie.start(hosts[0], {
      routerId: addr(0), asNumber: AS, listen: addr(0),
      peers: [1, 2, 3].map((i) => ({ name: `c${i}`, address: addr(i), asNumber: AS, routeReflectorClient: true })),
      extra: { routeReflector: { clusterId: '1.1.1.1' } },
    });
    await waitFor(async () => (await t.peers()).every((p) => p.state === 'Established' && p.received === 1), { what: '3 clients Established, 1 route each', timeoutMs: 30_000 });
    expect((await t.peers()).map((p) => p.type)).toEqual(['rr-client', 'rr-client', 'rr-client']);

    for (let i = 1; i <= 3; i++) {
      const bird = clients[i - 1];
      for (let j = 1; j <= 3; j++) {
        if (j === i) continue;
        const prefix = `10.30.${j}.0/24`;
        const attrs = await waitFor(async () => {
          const a = await birdAttrs(bird, prefix);
          return a.originator_id ? a : undefined;
        }, { what: `c${i} learns ${prefix}` });
        // reflected routes keep the originating client's next hop (iBGP, no next-hop-self)
        expect(attrs).toMatchObject({ originator_id: addr(j), cluster_list: '1.1.1.1', via: addr(j) });
        expect(attrs.as_path ?? '').toBe('');
      }
    }
    // one update group for the three clients (bgpd/rib README): the group's Adj-RIB-Out holds all
    // three routes, each client drops its own by the ORIGINATOR_ID check
    const sent = (await t.peers()).map((p) => p.sent);
    expect(sent).toEqual([3, 3, 3]);
    for (let i = 1; i <= 3; i++) expect((await clients[i - 1].routes()).filter((r) => r.prefix.startsWith('10.30.')).length).toBe(2);
  }, 90_000);

  it('tortie as a route-reflector client of BIRD learns reflected routes and is reflected to others', async () => {
    const hosts = [await lab().host('t'), await lab().host('r'), await lab().host('o')];
    await lab().bridge('v', hosts, { subnet: '198.18.62.0/24' });
    const addr = (i: number): string => `198.18.62.${i + 1}`;
    const rr = await BirdDaemon.start(hosts[1], {
      routerId: addr(1), localAs: AS, localAddress: addr(1),
      neighbors: [{ address: addr(0), as: AS, routeReflectorClient: true }, { address: addr(2), as: AS, routeReflectorClient: true }],
    });
    const other = await BirdDaemon.start(hosts[2], {
      routerId: addr(2), localAs: AS, localAddress: addr(2),
      neighbors: [{ address: addr(1), as: AS }],
      routes: [{ prefix: '10.40.2.0/24' }],
    });
    const t = await Tortie.start(hosts[0], {
      routerId: addr(0), asNumber: AS, listen: addr(0),
      peers: [{ name: 'rr', address: addr(1), asNumber: AS }],
      advertisePrefixes: ['10.40.0.0/24'],
    });
    await waitFor(async () => (await t.peer('rr'))?.received === 1, { what: 'reflected route at tortie', timeoutMs: 30_000 });
    expect((await t.peer('rr'))?.type).toBe('rr');
    const [route] = JSON.parse((await t.ctl(['show', 'routes', '10.40.2.0/24', '--json'])).stdout) as RouteRow[];
    expect(route.paths[0]).toMatchObject({ best: true, from: 'rr', nextHop: addr(2), originatorId: addr(2), clusterList: [addr(1)] });
    expect((await t.ctl(['show', 'routes', '10.40.2.0/24'])).stdout).toMatch(/Originator ID: 198\.18\.62\.3/);
    const attrs = await waitFor(async () => {
      const a = await birdAttrs(other, '10.40.0.0/24');
      return a.originator_id ? a : undefined;
    }, { what: 'tortie route reflected to the other client' });
    expect(attrs).toMatchObject({ originator_id: addr(0), via: addr(0) });
    expect(await rr.established(addr(0))).toBe(true);
  }, 90_000);
});
