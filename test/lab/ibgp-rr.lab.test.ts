import { describe, it, expect } from 'vitest';
import { useLab } from './use-lab';
import { waitFor } from './wait-for';
import { BirdDaemon } from './daemons/bird';
import { FrrDaemon } from './daemons/frr';
import { GobgpDaemon } from './daemons/gobgp';

// Calico's other shape: one iBGP AS, BIRD as route reflector, FRR and GoBGP as its clients.
// A route originated by one client must reach the other with its next hop unchanged.
describe('iBGP route reflection through BIRD', () => {
  const lab = useLab({ prefix: 'tl' });

  it('reflects routes between FRR and GoBGP clients, keeping next hop and communities', async () => {
    const [rr, frrHost, gobgpHost] = [await lab().host('rr'), await lab().host('frr'), await lab().host('gobgp')];
    const br = await lab().bridge('u', [rr, frrHost, gobgpHost], { subnet: '198.18.20.0/24' });
    const [rrA, frrA, gobgpA] = ['rr', 'frr', 'gobgp'].map((h) => br.addressOf(h));
    const AS = 65100;
    const bird = await BirdDaemon.start(rr, {
      routerId: rrA,
      localAs: AS,
      localAddress: rrA,
      neighbors: [
        { address: frrA, as: AS, routeReflectorClient: true },
        { address: gobgpA, as: AS, routeReflectorClient: true },
      ],
    });
    const frr = await FrrDaemon.start(frrHost, {
      routerId: frrA,
      localAs: AS,
      localAddress: frrA,
      neighbors: [{ address: rrA, as: AS }],
      routes: [{ prefix: '10.244.1.0/26', communities: ['65100:1'] }],
    });
    const gobgp = await GobgpDaemon.start(gobgpHost, {
      routerId: gobgpA,
      localAs: AS,
      localAddress: gobgpA,
      neighbors: [{ address: rrA, as: AS }],
      routes: [{ prefix: '10.244.2.0/26', med: 5 }],
    });
    for (const peer of [frrA, gobgpA]) {
      await waitFor(() => bird.established(peer), { what: `RR session to ${peer} Established`, timeoutMs: 15_000 });
    }
    const atGobgp = await waitFor(async () => (await gobgp.routes()).find((r) => r.prefix === '10.244.1.0/26'), {
      what: 'FRR route reflected to GoBGP',
    });
    expect(atGobgp).toMatchObject({ nextHop: frrA, asPath: [], communities: ['65100:1'], peer: rrA });
    const atFrr = await waitFor(async () => (await frr.routes()).find((r) => r.prefix === '10.244.2.0/26'), {
      what: 'GoBGP route reflected to FRR',
    });
    expect(atFrr).toMatchObject({ nextHop: gobgpA, asPath: [], med: 5, peer: rrA });
  });
});
