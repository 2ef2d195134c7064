import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lab } from './lab';
import type { LabBridge } from './lab';
import type { LabHost } from './lab-host';
import { waitFor } from './wait-for';
import { BirdDaemon } from './daemons/bird';
import { FrrDaemon } from './daemons/frr';
import { GobgpDaemon } from './daemons/gobgp';
import { OpenbgpdDaemon } from './daemons/openbgpd';
import { ExabgpDaemon } from './daemons/exabgp';
import type { BgpDaemon, NeighborSpec, ReceivedRoute, SpeakerSpec } from './daemons/types';

// One L2 underlay, BIRD (the reference peer) plus one host per other daemon. Every pairing is
// its own test so a failure names the daemon; they share BIRD, which has all of them as neighbors.
const PEERS = [
  { name: 'frr', as: 65002, v6: true, v4Prefix: '203.0.113.0/26', v6Prefix: '2001:db8:2::/48' },
  { name: 'gobgp', as: 65003, v6: true, v4Prefix: '203.0.113.64/26', v6Prefix: '2001:db8:3::/48' },
  { name: 'obgpd', as: 65004, v6: true, v4Prefix: '203.0.113.128/26', v6Prefix: '2001:db8:4::/48' },
  { name: 'exa', as: 65005, v6: true, v4Prefix: '203.0.113.192/26', v6Prefix: '2001:db8:5::/48' },
] as const;
type PeerName = (typeof PEERS)[number]['name'];

const BIRD_V4 = { prefix: '192.0.2.0/24', med: 10, communities: ['65001:7'], largeCommunities: ['65001:1:2'] };
const BIRD_V6 = { prefix: '2001:db8:1::/48', communities: ['65001:8'] };

describe('BIRD interoperates with FRR, GoBGP, OpenBGPD and ExaBGP through the launchers', () => {
  let lab: Lab;
  let br: LabBridge;
  let bird: BirdDaemon;
  const hosts = new Map<PeerName, LabHost>();
  const timings: string[] = [];

  const addr = (host: string, fam: 4 | 6 = 4): string => br.addressOf(host, fam);

  function birdNeighbors(): NeighborSpec[] {
    const ns: NeighborSpec[] = [];
    for (const p of PEERS) {
      ns.push({ address: addr(p.name), as: p.as, holdTime: 30, description: p.name });
      if (p.v6) ns.push({ address: addr(p.name, 6), as: p.as, holdTime: 30 });
    }
    return ns;
  }

  function peerSpec(p: (typeof PEERS)[number]): SpeakerSpec {
    const neighbors: NeighborSpec[] = [{ address: addr('bird'), as: 65001, holdTime: 30 }];
    if (p.v6) neighbors.push({ address: addr('bird', 6), as: 65001, holdTime: 30 });
    return {
      routerId: addr(p.name),
      localAs: p.as,
      localAddress: addr(p.name),
      localAddress6: addr(p.name, 6),
      neighbors,
      routes: [
        { prefix: p.v4Prefix, med: 20, communities: [`${p.as}:9`], largeCommunities: [`${p.as}:3:4`] },
        ...(p.v6 ? [{ prefix: p.v6Prefix, med: 3, communities: [`${p.as}:6`] }] : []),
      ],
    };
  }

  beforeAll(async () => {
    lab = await Lab.create({ prefix: 'tl' });
    const b = await lab.host('bird');
    for (const p of PEERS) hosts.set(p.name, await lab.host(p.name));
    br = await lab.bridge('u', [b, ...hosts.values()], { subnet: '198.18.10.0/24', subnet6: 'fd00:1a::/64' });
    bird = await BirdDaemon.start(b, {
      routerId: addr('bird'),
      localAs: 65001,
      localAddress: addr('bird'),
      localAddress6: addr('bird', 6),
      neighbors: birdNeighbors(),
      routes: [BIRD_V4, BIRD_V6],
    }, { kernelExport: true });
  });

  afterAll(async () => {
    if (timings.length > 0) console.log(`session establishment: ${timings.join(', ')}`);
    await lab?.cleanup();
  });

  /** Starts `name`, waits for Established both ways, returns the daemon and the time it took. */
  async function startAndEstablish(name: PeerName, start: (h: LabHost, s: SpeakerSpec) => Promise<BgpDaemon>): Promise<BgpDaemon> {
    const p = PEERS.find((x) => x.name === name)!;
    const t0 = performance.now();
    const d = await start(hosts.get(name)!, peerSpec(p));
    const families: Array<4 | 6> = p.v6 ? [4, 6] : [4];
    try {
      for (const fam of families) {
        // BIRD may be in its error-wait backoff from connecting before the peer existed; kick it
        // once if the session is still down after 3 s (never reset a session that is up).
        const peerAddr = addr(name, fam);
        const kick = setTimeout(() => {
          void bird
            .established(peerAddr)
            .then((up) => (up ? undefined : bird.restart(peerAddr)))
            .catch(() => {});
        }, 3000);
        try {
          await waitFor(async () => (await bird.established(peerAddr)) && (await d.established(addr('bird', fam))), {
            what: `BIRD <-> ${name} IPv${fam} session Established`,
            timeoutMs: 15_000,
          });
        } finally {
          clearTimeout(kick);
        }
      }
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- ${name} log (tail):\n${d.logs().slice(-3000)}\n--- bird log (tail):\n${bird.logs().slice(-1500)}`);
    }
    timings.push(`${name} ${Math.round(performance.now() - t0)} ms`);
    return d;
  }

  async function routeAt(d: BgpDaemon | BirdDaemon, prefix: string, what: string): Promise<ReceivedRoute> {
    return waitFor(async () => (await d.routes()).find((r) => r.prefix === prefix), { what, timeoutMs: 10_000 });
  }

  async function checkExchange(name: PeerName, d: BgpDaemon): Promise<void> {
    const p = PEERS.find((x) => x.name === name)!;
    // peer → BIRD, with MED, community and large community intact
    const atBird = await routeAt(bird, p.v4Prefix, `${p.v4Prefix} from ${name} at BIRD`);
    expect(atBird).toMatchObject({
      nextHop: addr(name),
      asPath: [p.as],
      communities: [`${p.as}:9`],
      largeCommunities: [`${p.as}:3:4`],
      med: 20,
      peer: addr(name),
    });
    // BIRD → peer
    const atPeer = await routeAt(d, BIRD_V4.prefix, `${BIRD_V4.prefix} from BIRD at ${name}`);
    expect(atPeer).toMatchObject({
      nextHop: addr('bird'),
      asPath: [65001],
      communities: BIRD_V4.communities,
      largeCommunities: BIRD_V4.largeCommunities,
      med: BIRD_V4.med,
    });
    if (p.v6) {
      const v6AtBird = await routeAt(bird, p.v6Prefix, `${p.v6Prefix} from ${name} at BIRD`);
      expect(v6AtBird).toMatchObject({ nextHop: addr(name, 6), asPath: [p.as], communities: [`${p.as}:6`], med: 3 });
      const v6AtPeer = await routeAt(d, BIRD_V6.prefix, `${BIRD_V6.prefix} from BIRD at ${name}`);
      expect(v6AtPeer).toMatchObject({ nextHop: addr('bird', 6), asPath: [65001], communities: BIRD_V6.communities });
    }
  }

  /** A route added live on the peer reaches BIRD; withdrawing it removes it there. */
  async function checkLiveRoute(name: PeerName, d: BgpDaemon, prefix: string): Promise<void> {
    await d.addRoute!({ prefix, communities: ['64512:1'] });
    const r = await routeAt(bird, prefix, `live-added ${prefix} from ${name} at BIRD`);
    expect(r.communities).toEqual(['64512:1']);
    await d.withdrawRoute!(prefix);
    await waitFor(async () => !(await bird.routes()).some((x) => x.prefix === prefix), {
      what: `${prefix} withdrawn by ${name} to disappear from BIRD`,
      timeoutMs: 10_000,
    });
  }

  it('FRR: v4 + v6 sessions, routes both ways, live add/withdraw both ways', async () => {
    const frr = await startAndEstablish('frr', (h, s) => FrrDaemon.start(h, s));
    await checkExchange('frr', frr);
    await checkLiveRoute('frr', frr, '198.51.100.0/25');
    // BIRD's live add (reconfigure) reaches FRR
    await bird.addRoute({ prefix: '198.51.100.128/25', med: 77 });
    expect(await routeAt(frr, '198.51.100.128/25', 'BIRD live route at FRR')).toMatchObject({ med: 77, asPath: [65001] });
    await bird.withdrawRoute('198.51.100.128/25');
    await waitFor(async () => !(await frr.routes()).some((r) => r.prefix === '198.51.100.128/25'), { what: 'BIRD withdrawal at FRR' });
  });

  it('GoBGP: v4 + v6 sessions, routes both ways, live add/withdraw', async () => {
    const gobgp = await startAndEstablish('gobgp', (h, s) => GobgpDaemon.start(h, s));
    await checkExchange('gobgp', gobgp);
    // kernelExport: BIRD programmed the learned route into its namespace's FIB
    const fib = await waitFor(async () => (await bird.host.ip(['route', 'show', '203.0.113.64/26'])).trim(), { what: 'GoBGP route in BIRD host FIB' });
    expect(fib).toContain(`via ${addr('gobgp')}`);
    await checkLiveRoute('gobgp', gobgp, '198.51.100.0/26');
  });

  it('OpenBGPD: v4 + v6 sessions, routes both ways, live add/withdraw', async () => {
    const obgpd = await startAndEstablish('obgpd', (h, s) => OpenbgpdDaemon.start(h, s));
    await checkExchange('obgpd', obgpd);
    await checkLiveRoute('obgpd', obgpd, '198.51.100.64/26');
  });

  it('ExaBGP: v4 + v6 sessions (state from its API/log), routes both ways, live announce/withdraw', async () => {
    const exa = await startAndEstablish('exa', (h, s) => ExabgpDaemon.start(h, s));
    await checkExchange('exa', exa);
    await checkLiveRoute('exa', exa, '198.51.100.192/26');
    // stopping the peer is seen by BIRD (the session really was to this process)
    await exa.stop();
    await waitFor(async () => !(await bird.established(addr('exa'))), { what: 'BIRD to notice ExaBGP went away' });
  });
});
