import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lab, type LabBridge } from './lab';
import type { LabHost } from './lab-host';
import { consecutivePrefixes } from './addr';
import { waitFor } from './wait-for';
import { BirdDaemon } from './daemons/bird';
import { FrrDaemon } from './daemons/frr';
import { GobgpDaemon } from './daemons/gobgp';
import { OpenbgpdDaemon } from './daemons/openbgpd';
import { ExabgpDaemon } from './daemons/exabgp';
import type { BgpDaemon, SpeakerSpec } from './daemons/types';

// Table-sized transfers through the launchers, polled with receivedCount() (daemon counters, not
// full route dumps). N is small enough for a loaded 2-core box; benchmarks can raise it.
const N = Number(process.env.TORTIE_LAB_BULK ?? 5000);

describe(`bulk transfer of ${N} routes`, () => {
  let lab: Lab;
  let br: LabBridge;
  const hosts = new Map<string, LabHost>();
  const addr = (h: string): string => br.addressOf(h);
  const timings: string[] = [];

  beforeAll(async () => {
    lab = await Lab.create({ prefix: 'tl' });
    for (const h of ['bird', 'frr', 'gobgp', 'obgpd', 'exa']) hosts.set(h, await lab.host(h));
    br = await lab.bridge('u', [...hosts.values()], { subnet: '198.18.50.0/24' });
  });
  afterAll(async () => {
    if (timings.length > 0) console.log(`bulk ${N}: ${timings.join(', ')}`);
    await lab?.cleanup();
  });

  const spec = (h: string, as: number, peers: Array<[string, number]>, prefixes: string[] = []): SpeakerSpec => ({
    routerId: addr(h),
    localAs: as,
    localAddress: addr(h),
    neighbors: peers.map(([p, pas]) => ({ address: addr(p), as: pas })),
    routes: prefixes.map((prefix) => ({ prefix })),
  });

  it('BIRD static table reaches FRR, GoBGP and OpenBGPD in full', async () => {
    const peers: Array<[string, number]> = [['frr', 65002], ['gobgp', 65003], ['obgpd', 65004]];
    const t0 = performance.now();
    const bird = await BirdDaemon.start(hosts.get('bird')!, spec('bird', 65001, peers, consecutivePrefixes('16.0.0.0', 24, N)));
    const starters: Record<string, (h: LabHost, s: SpeakerSpec) => Promise<BgpDaemon>> = {
      frr: (h, s) => FrrDaemon.start(h, s),
      gobgp: (h, s) => GobgpDaemon.start(h, s),
      obgpd: (h, s) => OpenbgpdDaemon.start(h, s),
    };
    await Promise.all(
      peers.map(async ([name, as]) => {
        const d = await starters[name](hosts.get(name)!, spec(name, as, [['bird', 65001]]));
        const n = await waitFor(async () => ((await d.receivedCount(addr('bird'))) >= N ? N : 0), {
          what: `${N} BIRD routes at ${name}`,
          timeoutMs: 60_000,
          intervalMs: 250,
        });
        expect(n).toBe(N);
        timings.push(`BIRD->${name} ${Math.round(performance.now() - t0)} ms`);
      }),
    );
    expect(await bird.receivedCount(addr('frr'))).toBe(0); // the peers originate nothing
    // one BIRD per host: a second launch would take over the first one's socket
    await expect(BirdDaemon.start(hosts.get('bird')!, spec('bird', 65001, []))).rejects.toThrow(/already running/);
    await bird.stop();
  }, 120_000);

  it('ExaBGP static table reaches BIRD in full (the lab.md generator)', async () => {
    const bird = await BirdDaemon.start(hosts.get('bird')!, spec('bird', 65001, [['exa', 65005]]));
    const t0 = performance.now();
    await ExabgpDaemon.start(hosts.get('exa')!, spec('exa', 65005, [['bird', 65001]], consecutivePrefixes('17.0.0.0', 24, N)));
    await waitFor(async () => (await bird.receivedCount(addr('exa'))) === N, {
      what: `${N} ExaBGP routes at BIRD`,
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    timings.push(`ExaBGP->BIRD ${Math.round(performance.now() - t0)} ms (incl. ExaBGP start)`);
  }, 120_000);
});
