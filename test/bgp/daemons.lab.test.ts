// eBGP sanity of the real bgpd against FRR, GoBGP and OpenBGPD at once: one bgpd, three peers on
// three links, routes both ways, bgpctl counts.
import { describe, it, expect } from 'vitest';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { FrrDaemon } from '../lab/daemons/frr';
import { GobgpDaemon } from '../lab/daemons/gobgp';
import { OpenbgpdDaemon } from '../lab/daemons/openbgpd';
import type { BgpDaemon, SpeakerSpec } from '../lab/daemons/types';
import type { LabHost } from '../lab/lab-host';
import { Tortie } from './tortie';

const KINDS = [
  { name: 'frr', as: 65011, net: 71, start: (h: LabHost, s: SpeakerSpec): Promise<BgpDaemon> => FrrDaemon.start(h, s) },
  { name: 'gobgp', as: 65012, net: 72, start: (h: LabHost, s: SpeakerSpec): Promise<BgpDaemon> => GobgpDaemon.start(h, s) },
  { name: 'openbgpd', as: 65013, net: 73, start: (h: LabHost, s: SpeakerSpec): Promise<BgpDaemon> => OpenbgpdDaemon.start(h, s) },
];

describe('tortie bgpd ↔ FRR, GoBGP, OpenBGPD (eBGP)', () => {
  const lab = useLab({ prefix: 'tbg' });

  it('every session Established with routes both ways', async () => {
    const t = await lab().host('t');
    const daemons: BgpDaemon[] = [];
    for (const k of KINDS) {
      const h = await lab().host(k.name.slice(0, 8));
      await lab().link(t, h, { addrA: `198.18.${k.net}.1/24`, addrB: `198.18.${k.net}.2/24`, ifA: `e-${k.name.slice(0, 6)}`, ifB: 'e-t' });
      daemons.push(await k.start(h, {
        routerId: `198.18.${k.net}.2`, localAs: k.as, localAddress: `198.18.${k.net}.2`,
        neighbors: [{ address: `198.18.${k.net}.1`, as: 65001 }],
        routes: [{ prefix: `10.${k.net}.0.0/24`, communities: [`${k.as}:1`] }, { prefix: `10.${k.net}.1.0/24` }],
      }));
    }
    const tortie = await Tortie.start(t, {
      routerId: '198.18.71.1', asNumber: 65001, listen: '0.0.0.0',
      peers: KINDS.map((k) => ({ name: k.name, address: `198.18.${k.net}.2`, asNumber: k.as, localAddress: `198.18.${k.net}.1` })),
      advertisePrefixes: ['10.70.0.0/24', '10.70.1.0/24'],
      extra: { nodeAddress: '198.18.71.1', listen: { port: 179 } },
    });
    await waitFor(async () => (await tortie.peers()).every((p) => p.state === 'Established' && p.accepted === 2 && p.sent === 2), {
      what: 'all three Established, 2 routes each way', timeoutMs: 40_000,
    }).catch(async (e: unknown) => { throw new Error(`${String(e)}\n${JSON.stringify(await tortie.peers())}`); });
    for (const [i, d] of daemons.entries()) {
      const k = KINDS[i];
      const got = await waitFor(async () => {
        const r = (await d.routes()).filter((x) => x.prefix.startsWith('10.70.'));
        return r.length === 2 ? r : undefined;
      }, { what: `${k.name} has our 2 routes` });
      for (const r of got) {
        expect(r.asPath).toEqual([65001]);
        expect(r.nextHop).toBe(`198.18.${k.net}.1`);
      }
    }
    // FRR also sends our own routes back (AS path 65011 65001): received, then rejected by the
    // AS-path loop check, so it may show 4 received / 2 accepted
    const text = (await tortie.ctl(['show', 'peers'])).stdout;
    for (const k of KINDS) expect(text).toMatch(new RegExp(`^${k.name}\\s+global\\s+${k.as}\\s+Established\\s+\\S+\\s+[24]/2\\s+2$`, 'm'));
  }, 120_000);
});
