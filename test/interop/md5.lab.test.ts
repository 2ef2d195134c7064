// TCP-MD5 (RFC 2385) between tortie's real bgpd (dist/bgpd, built by test/run.sh or `npm run build`)
// and BIRD 2 / FRR, each daemon in its own namespace on its own veth to tortie's host:
//   active   tortie connects (the daemon is passive), same password  → Established, routes both ways
//   passive  the daemon connects (tortie is passive), same password  → Established, routes both ways
//   wrong    different passwords, both sides connect                  → never Established
//   nopw     the daemon has a password, tortie none                   → never Established
// plus one IPv6 session each way. tortie listens on `::`, so its IPv4 peers' keys take the v4-mapped
// form on the listener.
import { describe, it, expect } from 'vitest';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { BirdDaemon } from '../lab/daemons/bird';
import { FrrDaemon } from '../lab/daemons/frr';
import type { BgpDaemon } from '../lab/daemons/types';
import type { LabHost } from '../lab/lab-host';
import { Tortie } from '../bgp/tortie';
import type { NeighborView, RouteRow } from '../../bgpd/control/protocol';

// one word: FRR's `neighbor X password WORD` takes no spaces
const PASSWORD = 't2-Md5.secret';
const TORTIE_AS = 65001;
const DAEMON_AS = 65002;
const TORTIE_PREFIX = '10.70.0.0/24';

type Kind = 'bird' | 'frr';
type Scenario = 'active' | 'passive' | 'wrong' | 'nopw';

interface Case {
  kind: Kind;
  scenario: Scenario;
  /** /24 of this pair's veth: tortie .1, daemon .2 */
  net: string;
  /** IPv6 session: over fd00:<n>::1 / ::2 on the same veth, IPv6 unicast only */
  v6?: boolean;
  host?: LabHost;
  daemon?: BgpDaemon;
}

const scenarios: Scenario[] = ['active', 'passive', 'wrong', 'nopw'];
const cases: Case[] = [
  ...(['bird', 'frr'] as const).flatMap((kind, k) => scenarios.map((scenario, i) => ({ kind, scenario, net: `198.18.${71 + k * 4 + i}` }))),
  // IPv6: BIRD connects to tortie's dual-stack listener (IPv6 key there), tortie connects to FRR (AF_INET6 socket)
  { kind: 'bird', scenario: 'passive', net: '198.18.79', v6: true },
  { kind: 'frr', scenario: 'active', net: '198.18.80', v6: true },
];
const idx = (c: Case) => 71 + cases.indexOf(c);
const name = (c: Case) => `${c.kind}-${c.scenario}${c.v6 ? '-v6' : ''}`;
const tortieAddr = (c: Case) => (c.v6 ? `fd00:${idx(c)}::1` : `${c.net}.1`);
const daemonAddr = (c: Case) => (c.v6 ? `fd00:${idx(c)}::2` : `${c.net}.2`);
const daemonPrefix = (c: Case) => (c.v6 ? `2001:db8:${idx(c)}::/48` : `10.${idx(c)}.0.0/24`);
const TORTIE_PREFIX6 = '2001:db8:70::/48';
const tortiePrefix = (c: Case) => (c.v6 ? TORTIE_PREFIX6 : TORTIE_PREFIX);

function tortiePeer(c: Case): Record<string, unknown> {
  return {
    name: name(c),
    address: daemonAddr(c),
    asNumber: DAEMON_AS,
    localAddress: tortieAddr(c),
    passive: c.scenario === 'passive',
    ...(c.v6 ? { families: ['ipv6'] } : {}),
    ...(c.scenario === 'nopw' ? {} : { password: c.scenario === 'wrong' ? 'not-the-same' : PASSWORD }),
  };
}

/** The kernel's TCP-MD5 drop counters (TcpExt in /proc/net/netstat) of a host's namespace. */
async function md5Counters(host: LabHost): Promise<Record<string, number>> {
  const lines = (await host.exec('cat', ['/proc/net/netstat'])).stdout.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]).filter(([n]) => String(n).startsWith('TCPMD5')));
}

async function startDaemon(c: Case): Promise<BgpDaemon> {
  const spec = {
    routerId: `${c.net}.2`,
    localAs: DAEMON_AS,
    localAddress: `${c.net}.2`,
    localAddress6: `fd00:${idx(c)}::2`,
    neighbors: [{ address: tortieAddr(c), as: TORTIE_AS, passive: c.scenario === 'active', password: PASSWORD }],
    routes: [{ prefix: daemonPrefix(c) }],
  };
  return c.kind === 'bird' ? BirdDaemon.start(c.host!, spec) : FrrDaemon.start(c.host!, spec);
}

describe('TCP-MD5 with BIRD and FRR', () => {
  const lab = useLab({ prefix: 't2' });

  it('same password: Established and routes exchanged whoever connects; wrong or missing password: never up; bgpd keeps running', async () => {
    const t = await lab().host('t');
    for (const c of cases) {
      c.host = await lab().host(`${c.kind[0]}${c.v6 ? '6' : ''}${c.scenario}`.slice(0, 8));
      await lab().link(t, c.host, { addrA: [`${c.net}.1/24`, `fd00:${idx(c)}::1/64`], addrB: [`${c.net}.2/24`, `fd00:${idx(c)}::2/64`] });
    }
    await Promise.all(cases.map(async (c) => (c.daemon = await startDaemon(c))));
    const t0 = Date.now();
    const tortie = await Tortie.start(t, {
      routerId: '198.18.71.1',
      asNumber: TORTIE_AS,
      listen: '198.18.71.1',
      peers: cases.map(tortiePeer),
      advertisePrefixes: [TORTIE_PREFIX, TORTIE_PREFIX6],
      // no listen address = '::' (dual stack): the IPv4 peers' keys go on it in the v4-mapped form
      extra: { listen: { port: 179 } },
    });

    const good = cases.filter((c) => c.scenario === 'active' || c.scenario === 'passive');
    const bad = cases.filter((c) => !good.includes(c));
    const upAfter = new Map<string, number>();
    await Promise.all(good.map(async (c) => {
      await waitFor(async () => (await tortie.peer(name(c)))?.state === 'Established', { what: `${name(c)} Established`, timeoutMs: 30_000 });
      upAfter.set(name(c), Date.now() - t0);
    }));
    console.log(`md5 interop: Established after (ms since bgpd start) ${JSON.stringify(Object.fromEntries(upAfter))}`);

    for (const c of good) {
      // the session really ran in the direction the scenario forces
      const nb = JSON.parse((await tortie.ctl(['show', 'neighbor', name(c), '--json'])).stdout) as NeighborView;
      expect(nb.direction, name(c)).toBe(c.scenario === 'active' ? 'out' : 'in');
      await waitFor(async () => {
        const routes = JSON.parse((await tortie.ctl(['show', 'routes', '--json'])).stdout) as RouteRow[];
        return routes.find((r) => r.prefix === daemonPrefix(c))?.paths.some((p) => p.from === name(c));
      }, { what: `${name(c)}: tortie received ${daemonPrefix(c)}`, timeoutMs: 20_000 });
      await waitFor(async () => (await c.daemon!.routes()).some((r) => r.prefix === tortiePrefix(c)), { what: `${name(c)}: daemon received ${tortiePrefix(c)}`, timeoutMs: 20_000 });
      expect(await c.daemon!.established(tortieAddr(c))).toBe(true);
    }

    console.log(`md5 interop: routes exchanged on all ${good.length} good sessions ${Date.now() - t0} ms after bgpd start`);

    // Both sides of `wrong` and the daemon side of `nopw` keep trying (retry timers 1–2 s); give them
    // several rounds, checking all along that none of these sessions ever comes up.
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      for (const c of bad) {
        expect((await tortie.peer(name(c)))?.state, name(c)).not.toBe('Established');
        expect(await c.daemon!.established(tortieAddr(c)), name(c)).toBe(false);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    // the refused sessions did try: tortie's outgoing attempts were made (signed with the wrong key or
    // unsigned) and dropped by the daemon's kernel
    for (const c of bad) expect((await tortie.peer(name(c)))?.state, name(c)).toMatch(/^(Connect|Active|Idle)/);
    // ...and the daemon's kernel dropped them for the reason under test: a signature made with
    // another key (wrong), or none where one is required (nopw)
    for (const c of bad) {
      const md5 = await md5Counters(c.host!);
      if (c.scenario === 'wrong') expect(md5.TCPMD5Failure, name(c)).toBeGreaterThan(0);
      else expect(md5.TCPMD5NotFound, name(c)).toBeGreaterThan(0);
    }

    expect(tortie.process.running).toBe(true);
    for (const c of good) expect((await tortie.peer(name(c)))?.state, name(c)).toBe('Established');
    expect(tortie.logs()).not.toContain(PASSWORD);
    expect(tortie.logs()).not.toContain('not-the-same');
  }, 120_000);
});
