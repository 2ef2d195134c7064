// Model-based check: random sequences of input changes, external deletes and restarts; afterwards
// the kernel's proto-201 routes must be exactly what the input says (blackholes for local blocks,
// the right next-hop set for remote ones, nothing else).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, waitFor } from '../../test/lab';
import type { LabHost } from '../../test/lab';
import { Netlink } from '../index';
import { RouteProgrammer } from './programmer';
import type { LocalBlock, RemoteRoute } from './types';

// few prefixes, so that sequences hit the same prefix often (local over remote, withdraw, re-add)
const PREFIXES = Array.from({ length: 4 }, (_, i) => `10.70.${i}.0/24`);
const GATEWAYS = ['198.18.7.2', '198.18.7.3', '198.18.7.4'];

type Cmd =
  | { t: 'remote'; p: number; gws: number[] }
  | { t: 'unremote'; p: number }
  | { t: 'local'; p: number }
  | { t: 'unlocal'; p: number }
  | { t: 'extdel'; p: number }
  | { t: 'restart' };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('remote' as const), p: fc.nat(3), gws: fc.uniqueArray(fc.nat(2), { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('unremote' as const), p: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('local' as const), p: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unlocal' as const), p: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('extdel' as const), p: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'restart' as const }) },
);

let lab: Lab;
let host: LabHost;

beforeAll(async () => {
  lab = await Lab.create({ prefix: 'tpg' });
  host = await lab.host('m');
  const peer = await lab.host('g');
  await lab.link(host, peer, { ifA: 'u0', addrA: '198.18.7.1/24', addrB: '198.18.7.2/24' });
});

afterAll(async () => {
  await lab?.cleanup();
});

/** What the kernel should hold: prefix → "blackhole" or the sorted gateway list. */
function expected(remotes: Map<number, number[]>, locals: Set<number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, gws] of remotes) out[PREFIXES[p]] = gws.map((g) => GATEWAYS[g]).sort().join(',');
  for (const p of locals) out[PREFIXES[p]] = 'blackhole';
  return out;
}

function actual(nl: Netlink): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of nl.routes.dump({ family: 4, protocol: 201 })) {
    out[r.dst] = r.type === 'blackhole' ? 'blackhole'
      : (r.nexthops ? r.nexthops.map((h) => h.gateway ?? '') : [r.gateway ?? '']).sort().join(',');
  }
  return out;
}

describe('route programmer against a model (lab)', () => {
  it('random changes, external deletes and restarts converge to exactly the input', async () => {
    const nl = Netlink.open({ netns: host.netns });
    const node = { underlayDev: 'u0', address: '198.18.7.1/24' };
    try {
      await fc.assert(fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 15 }), async (cmds) => {
        // each case starts from an empty table
        for (const r of nl.routes.dump({ family: 4, protocol: 201 })) nl.routes.del({ dst: r.dst, protocol: 201 });
        const remotes = new Map<number, number[]>();
        const locals = new Set<number>();
        const input = (): { remotes: RemoteRoute[]; locals: LocalBlock[] } => ({
          remotes: [...remotes].map(([p, gws]) => ({ prefix: PREFIXES[p], encap: 'none', nextHops: gws.map((g) => ({ address: GATEWAYS[g] })) })),
          locals: [...locals].map((p) => ({ prefix: PREFIXES[p] })),
        });
        let prog = new RouteProgrammer({ netns: host.netns, node, repairDelayMs: 10, monitorIntervalMs: 10, retryMs: 100 });
        await prog.start();
        try {
          for (const c of cmds) {
            switch (c.t) {
              case 'remote':
                remotes.set(c.p, c.gws);
                prog.setRemote({ prefix: PREFIXES[c.p], encap: 'none', nextHops: c.gws.map((g) => ({ address: GATEWAYS[g] })) });
                break;
              case 'unremote':
                remotes.delete(c.p);
                prog.removeRemote(PREFIXES[c.p]);
                break;
              case 'local':
                locals.add(c.p);
                prog.setLocalBlock({ prefix: PREFIXES[c.p] });
                break;
              case 'unlocal':
                locals.delete(c.p);
                prog.removeLocalBlock(PREFIXES[c.p]);
                break;
              case 'extdel':
                await prog.flushed();
                try {
                  nl.routes.del({ dst: PREFIXES[c.p], protocol: 201 });
                } catch {
                  // nothing of ours there
                }
                break;
              case 'restart':
                await prog.close();
                prog = new RouteProgrammer({ netns: host.netns, node, repairDelayMs: 10, monitorIntervalMs: 10, retryMs: 100 });
                prog.replaceAll(input());
                await prog.start();
                break;
            }
          }
          await prog.flushed();
          const want = expected(remotes, locals);
          const canon = (o: Record<string, string>): string => JSON.stringify(Object.entries(o).sort());
          await waitFor(() => canon(actual(nl)) === canon(want) || undefined, {
            what: `kernel = model ${JSON.stringify(want)} after ${JSON.stringify(cmds)}`, timeoutMs: 3000, intervalMs: 20,
          }).catch(() => undefined);
          expect(actual(nl)).toEqual(want);
          expect(prog.counters.errors).toEqual({});
        } finally {
          await prog.close();
        }
      }), { numRuns: 40 });
    } finally {
      nl.close();
    }
  }, 120_000);
});
