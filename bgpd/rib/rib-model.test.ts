import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Afi } from '../wire/types';
import { adjRibOut, lookup } from './queries';
import { addUpPeer, LOCAL_AS, makeRib, P, run, sent, seq, T, upd } from './test-kit';

// Random announce/withdraw/graceful-down sequences from three eBGP peers, checked against a plain
// model of what each peer currently has; then everything is withdrawn and nothing may be left.
const prefixes = ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'];
const op = fc.record({
  peer: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom('announce', 'announce', 'withdraw', 'down'),
  prefix: fc.constantFrom(...prefixes),
  pathLen: fc.integer({ min: 1, max: 3 }),
  med: fc.integer({ min: 0, max: 2 }),
});

describe('RIB bookkeeping model', () => {
  it('Loc-RIB, Adj-RIB-Out, counters and refcounts stay consistent', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (ops, budget) => {
      const rib = makeRib({ maxPaths: 2 });
      const peers = [65101, 65102, 65103].map((as, i) => addUpPeer(rib, { address: `198.18.${i + 1}.2`, remoteAs: as }, `10.${i + 1}.0.2`));
      const watcher = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
      const model = new Map<string, Map<number, number>>(); // prefix -> peer -> path length
      for (const o of ops) {
        const id = peers[o.peer];
        const as = 65101 + o.peer;
        if (o.kind === 'announce') {
          rib.update(id, upd([o.prefix], { asPath: seq(as, ...Array(o.pathLen - 1).fill(1)), med: o.med }));
          if (!model.has(o.prefix)) model.set(o.prefix, new Map());
          model.get(o.prefix)?.set(id, o.pathLen);
        } else if (o.kind === 'withdraw') {
          rib.update(id, upd([], {}, [o.prefix]));
          model.get(o.prefix)?.delete(id);
        } else {
          rib.peerDown(id);
          rib.peerUp(id, { routerId: `10.${o.peer + 1}.0.2`, ctx: { as4: true, extendedMessage: false, ibgp: false }, families: [Afi.IPv4], localAddress: { ipv4: '198.18.0.1' } });
          for (const m of model.values()) m.delete(id);
        }
        run(rib, budget);
      }
      sent(rib);
      for (const p of prefixes) {
        const want = model.get(p) ?? new Map<number, number>();
        const v = lookup(rib, Afi.IPv4, P(p));
        expect(new Set((v?.paths ?? []).map((x) => x.peer))).toEqual(new Set(want.keys()));
        if (want.size > 0) {
          const shortest = Math.min(...want.values());
          const best = v?.paths.find((x) => x.best);
          expect(best && want.get(best.peer)).toBe(shortest);
        }
      }
      const out = new Map([...adjRibOut(rib, watcher, Afi.IPv4)].map((r) => [T(r.prefix), r.attrs]));
      expect(new Set(out.keys())).toEqual(new Set([...model].filter(([, m]) => m.size > 0).map(([p]) => p)));
      for (const id of peers) {
        const n = [...model.values()].filter((m) => m.has(id)).length;
        expect(rib.peerStats(id)).toMatchObject({ received: n, accepted: n });
        rib.update(id, upd([], {}, prefixes));
      }
      run(rib, budget);
      expect(rib.attrs.size).toBe(0);
      expect(rib.slots.count).toBe(0);
      for (const g of rib.groups.values()) expect(g.out.size + g.adjOut.size).toBe(0);
    }), { numRuns: 150 });
  });
});
