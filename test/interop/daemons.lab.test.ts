// Interop: our BgpSession (test speaker, no RIB) against FRR, GoBGP, OpenBGPD and ExaBGP.
// The same scenario runs against each: tortie active for IPv4 and IPv6, routes with attributes both
// ways, withdraws, admin shutdown with an RFC 9003 text; then tortie passive with the daemon active.
import { describe, it, expect } from 'vitest';
import type { LabHost } from '../lab/lab-host';
import type { BgpDaemon, SpeakerSpec } from '../lab/daemons/types';
import { FrrDaemon } from '../lab/daemons/frr';
import { GobgpDaemon } from '../lab/daemons/gobgp';
import { OpenbgpdDaemon } from '../lab/daemons/openbgpd';
import { ExabgpDaemon } from '../lab/daemons/exabgp';
import { waitFor } from '../lab/wait-for';
import { SpeakerProcess } from './speaker-process';
import { T4, T6, ourRoutes, peerNeighbors, peerSpec, tortiePeer } from './fixtures';
import { expectOurRoutes, expectPeerRoutes } from './expect-routes';
import { useInterop } from './use-interop';

interface DaemonCase {
  name: string;
  start(host: LabHost, spec: SpeakerSpec): Promise<BgpDaemon>;
  /** Where the daemon shows the RFC 9003 text of a received Cease/2; undefined: it cannot. */
  shutdownText?(d: BgpDaemon): Promise<string>;
}

const fromLog = (d: BgpDaemon) => Promise.resolve(d.logs());

const cases: DaemonCase[] = [
  {
    name: 'FRR',
    start: (h, s) => FrrDaemon.start(h, s),
    // Logged thanks to the launcher's `bgp log-neighbor-changes`; `show bgp neighbors` shows only
    // "Cease/Administrative Shutdown".
    shutdownText: fromLog,
  },
  { name: 'GoBGP', start: (h, s) => GobgpDaemon.start(h, s), shutdownText: fromLog },
  { name: 'OpenBGPD', start: (h, s) => OpenbgpdDaemon.start(h, s), shutdownText: fromLog },
  // ExaBGP 4.2.21 cannot parse a non-empty shutdown communication (notification.py formats bytes with
  // a str → TypeError) and answers it with NOTIFICATION 1/0; the session still goes down.
  { name: 'ExaBGP', start: (h, s) => ExabgpDaemon.start(h, s) },
];

for (const dc of cases) {
  describe(`${dc.name} interop: tortie active`, () => {
    let d: BgpDaemon;
    let sp: SpeakerProcess;

    useInterop(async ({ lab, t, b }) => {
      d = await dc.start(b, peerSpec(peerNeighbors({ passive: true })));
      sp = await SpeakerProcess.start(lab, t, { peers: [tortiePeer('v4'), tortiePeer('v6')], routes: ourRoutes });
    });

    it('reaches Established for IPv4 and IPv6', async () => {
      await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v4', 'v4 Established', 30_000);
      await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v6', 'v6 Established', 30_000);
      await waitFor(async () => (await d.established(T4)) && (await d.established(T6)), { what: `${dc.name} sees both sessions up` });
    });

    it('the daemon receives our routes with attributes intact', async () => {
      const routes = await waitFor(
        async () => {
          const rs = await d.routes();
          return rs.some((r) => r.prefix === '198.51.100.0/24') && rs.some((r) => r.prefix === '2001:db8:1::/48') ? rs : undefined;
        },
        { what: `our routes in ${dc.name}`, timeoutMs: 15_000 },
      );
      expectOurRoutes(routes);
    });

    it('we receive the daemon routes with attributes intact', async () => {
      await waitFor(() => sp.routes('v4').has('203.0.113.0/24') && sp.routes('v6').has('2001:db8:2::/48'), {
        what: `${dc.name} routes at tortie`,
        timeoutMs: 15_000,
      });
      expectPeerRoutes(sp);
    });

    it('withdraws propagate in both directions', async () => {
      sp.withdraw('198.51.101.0/24');
      sp.withdraw('2001:db8:1::/48');
      await waitFor(
        async () => {
          const rs = await d.routes();
          return !rs.some((r) => r.prefix === '198.51.101.0/24' || r.prefix === '2001:db8:1::/48') && rs.some((r) => r.prefix === '198.51.100.0/24');
        },
        { what: `our withdraws in ${dc.name}`, timeoutMs: 15_000 },
      );
      await waitFor(() => sp.routes('v4').has('203.0.114.0/24'), { what: 'second daemon route at tortie' });
      await d.withdrawRoute!('203.0.114.0/24');
      await waitFor(() => !sp.routes('v4').has('203.0.114.0/24'), { what: `${dc.name} withdraw at tortie`, timeoutMs: 15_000 });
      expect(sp.routes('v4').has('203.0.113.0/24')).toBe(true);
    });

    it('admin shutdown: the daemon drops the session and logs our RFC 9003 text', async () => {
      sp.send({ cmd: 'stop', peer: 'v4', reason: 'tortie maintenance 42' });
      await sp.waitEvent((e) => e.ev === 'notification' && e.peer === 'v4' && e.direction === 'sent', 'shutdown notification');
      await waitFor(async () => !(await d.established(T4)), { what: `${dc.name} session down`, timeoutMs: 15_000 });
      const shown = dc.shutdownText;
      if (shown) {
        await waitFor(async () => (await shown(d)).includes('tortie maintenance 42'), {
          what: `${dc.name} to show the shutdown text`,
          timeoutMs: 10_000,
        });
      }
      expect(await d.established(T6)).toBe(true);
    });
  });

  describe(`${dc.name} interop: tortie passive`, () => {
    let d: BgpDaemon;
    let sp: SpeakerProcess;

    useInterop(async ({ lab, t, b }) => {
      sp = await SpeakerProcess.start(lab, t, {
        listen: { address: '::', port: 179 },
        peers: [tortiePeer('v4', { passive: true }), tortiePeer('v6', { passive: true })],
        routes: ourRoutes,
      });
      d = await dc.start(b, peerSpec(peerNeighbors()));
    });

    it('accepts the daemon connections and exchanges routes', async () => {
      await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v4', 'v4 Established', 30_000);
      await sp.waitEvent((e) => e.ev === 'established' && e.peer === 'v6', 'v6 Established', 30_000);
      await waitFor(() => sp.routes('v4').has('203.0.113.0/24') && sp.routes('v6').has('2001:db8:2::/48'), { what: 'daemon routes', timeoutMs: 15_000 });
      await waitFor(async () => (await d.routes()).some((r) => r.prefix === '198.51.100.0/24'), { what: 'our route in the daemon', timeoutMs: 15_000 });
    });
  });
}
