// Prints how long lab primitives and daemon launches take on this machine:
//   npx tsx test/lab/measure-lab.ts [hosts=10]
// Numbers quoted in README.md come from this script.
import { Lab } from './lab';
import { waitFor } from './wait-for';
import { BirdDaemon } from './daemons/bird';
import { FrrDaemon } from './daemons/frr';
import { GobgpDaemon } from './daemons/gobgp';
import { OpenbgpdDaemon } from './daemons/openbgpd';
import { ExabgpDaemon } from './daemons/exabgp';
import type { BgpDaemon, SpeakerSpec } from './daemons/types';
import type { LabHost } from './lab-host';

const n = Number(process.argv[2] ?? 10);
const ms = (t0: number): number => Math.round(performance.now() - t0);

const lab = await Lab.create({ prefix: 'tm' });
try {
  let t = performance.now();
  const hosts: LabHost[] = [];
  for (let i = 0; i < n; i++) hosts.push(await lab.host(`h${i}`));
  console.log(`${n} hosts: ${ms(t)} ms (${(ms(t) / n).toFixed(1)} ms/host)`);
  t = performance.now();
  const br = await lab.bridge('u', hosts, { subnet: '198.18.30.0/24' });
  console.log(`bridge with ${n} ports + addresses: ${ms(t)} ms`);
  t = performance.now();
  await lab.link(hosts[0], hosts[1], { addrA: '198.18.31.1/30', addrB: '198.18.31.2/30' });
  console.log(`one veth link with addresses: ${ms(t)} ms`);
  t = performance.now();
  const ok = await hosts[0].ping(br.addressOf(hosts[n - 1]));
  console.log(`first ping across the bridge: ${ms(t)} ms (${ok ? 'ok' : 'FAILED'})`);

  const addr = (i: number): string => br.addressOf(hosts[i]);
  const peerSpec = (i: number, as: number): SpeakerSpec => ({
    routerId: addr(i),
    localAs: as,
    localAddress: addr(i),
    neighbors: [{ address: addr(0), as: 65001 }],
    routes: [{ prefix: `203.0.113.${i * 16}/28` }],
  });
  t = performance.now();
  const bird = await BirdDaemon.start(hosts[0], {
    routerId: addr(0),
    localAs: 65001,
    localAddress: addr(0),
    neighbors: [1, 2, 3, 4].map((i) => ({ address: addr(i), as: 65001 + i, passive: true })),
  });
  console.log(`BIRD start to control socket: ${ms(t)} ms`);
  const launchers: Array<[string, (h: LabHost, s: SpeakerSpec) => Promise<BgpDaemon>]> = [
    ['FRR', (h, s) => FrrDaemon.start(h, s)],
    ['GoBGP', (h, s) => GobgpDaemon.start(h, s)],
    ['OpenBGPD', (h, s) => OpenbgpdDaemon.start(h, s)],
    ['ExaBGP', (h, s) => ExabgpDaemon.start(h, s)],
  ];
  for (const [i, [name, start]] of launchers.entries()) {
    t = performance.now();
    const d = await start(hosts[i + 1], peerSpec(i + 1, 65002 + i));
    const ready = ms(t);
    await waitFor(async () => (await bird.established(addr(i + 1))) && (await d.established(addr(0))), { what: `${name} Established`, timeoutMs: 20_000 });
    const est = ms(t);
    await waitFor(async () => (await bird.routes()).some((r) => r.peer === addr(i + 1)), { what: `${name} route at BIRD` });
    console.log(`${name}: ready ${ready} ms, Established ${est} ms, first route at BIRD ${ms(t)} ms (from launch)`);
  }
} finally {
  const t = performance.now();
  await lab.cleanup();
  console.log(`cleanup (${n + 1} namespaces, 5 daemons): ${ms(t)} ms`);
}
