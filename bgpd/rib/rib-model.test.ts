import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Afi } from '../wire/types';
import { adjRibOut, lookup } from './queries';
import { addUpPeer, LOCAL_AS, makeRib, P, run, sent, seq, T, upd } from './test-kit';

// Random announce/withdraw/reset/graceful-restart sequences from three eBGP peers (one with an
// import policy that rejects a prefix), checked against a plain model of what each peer currently
// has; then everything is withdrawn and nothing may be left.
const prefixes = ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'];
const REJECTED = { peer: 2, prefix: '10.0.3.0/24' };
const op = fc.record({
  peer: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom('announce', 'announce', 'announce', 'withdraw', 'down', 'gr-down', 'eor'),
  prefix: fc.constantFrom(...prefixes),
  pathLen: fc.integer({ min: 1, max: 3 }),
  med: fc.integer({ min: 0, max: 2 }),
});

interface ModelPath { len: number; stale: boolean }

describe('RIB bookkeeping model', () => {
  it('Loc-RIB, stale marks, Adj-RIB-Out, counters and refcounts stay consistent', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (ops, budget) => {
      const rib = makeRib({ maxPaths: 2 });
      const peers = [65101, 65102, 65103].map((as, i) => addUpPeer(rib, {
        address: `198.18.${i + 1}.2`, remoteAs: as, allowTransit: true,
        importPolicy: i === REJECTED.peer ? { rules: [{ match: { prefixList: [{ prefix: REJECTED.prefix }] }, action: 'reject' }], defaultAction: 'accept' } : undefined,
      }, `10.${i + 1}.0.2`));
      const watcher = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
      const model = new Map<string, Map<number, ModelPath>>(); // prefix -> peer -> path
      const reup = (o: { peer: number }) => rib.peerUp(peers[o.peer], {
        routerId: `10.${o.peer + 1}.0.2`, ctx: { as4: true, extendedMessage: false, ibgp: false }, families: [Afi.IPv4], localAddress: { ipv4: '198.18.0.1' },
      });
      for (const o of ops) {
        const id = peers[o.peer];
        const as = 65101 + o.peer;
        if (o.kind === 'announce') {
          rib.update(id, upd([o.prefix], { asPath: seq(as, ...Array(o.pathLen - 1).fill(1)), med: o.med }));
          if (!model.has(o.prefix)) model.set(o.prefix, new Map());
          model.get(o.prefix)?.set(id, { len: o.pathLen, stale: false });
        } else if (o.kind === 'withdraw') {
          rib.update(id, upd([], {}, [o.prefix]));
          model.get(o.prefix)?.delete(id);
        } else if (o.kind === 'down') {
          rib.peerDown(id);
          reup(o);
          for (const m of model.values()) m.delete(id);
        } else if (o.kind === 'gr-down') {
          rib.peerDown(id, { graceful: true });
          reup(o);
          for (const m of model.values()) { const x = m.get(id); if (x) x.stale = true; }
        } else {
          rib.endOfRib(id, Afi.IPv4);
          for (const m of model.values()) if (m.get(id)?.stale) m.delete(id);
        }
        run(rib, budget);
      }
      sent(rib);
      const isRejected = (peer: number, p: string) => peer === peers[REJECTED.peer] && p === REJECTED.prefix;
      for (const p of prefixes) {
        const want = model.get(p) ?? new Map<number, ModelPath>();
        const v = lookup(rib, Afi.IPv4, P(p));
        const got = new Map((v?.paths ?? []).map((x) => [x.peer, x]));
        expect(new Set(got.keys())).toEqual(new Set(want.keys()));
        for (const [peer, w] of want) {
          expect(got.get(peer)?.stale).toBe(w.stale);
          expect(got.get(peer)?.filtered).toBe(isRejected(peer, p));
        }
        const eligible = [...want].filter(([peer]) => !isRejected(peer, p));
        if (eligible.length > 0) {
          const shortest = Math.min(...eligible.map(([, w]) => w.len));
          const best = v?.paths.find((x) => x.best);
          expect(best && want.get(best.peer)?.len).toBe(shortest);
        } else {
          expect(v?.paths.some((x) => x.best) ?? false).toBe(false);
        }
      }
      const out = new Set([...adjRibOut(rib, watcher, Afi.IPv4)].map((r) => T(r.prefix)));
      expect(out).toEqual(new Set([...model].filter(([p, m]) => [...m.keys()].some((peer) => !isRejected(peer, p))).map(([p]) => p)));
      for (const id of peers) {
        const held = [...model].filter(([, m]) => m.has(id));
        const accepted = held.filter(([p]) => !isRejected(id, p)).length;
        expect(rib.peerStats(id)).toMatchObject({ received: held.length, accepted });
        rib.update(id, upd([], {}, prefixes));
      }
      run(rib, budget);
      expect(rib.attrs.size).toBe(0);
      expect(rib.slots.count).toBe(0);
      for (const g of rib.groups.values()) expect(g.out.size + g.adjOut.size).toBe(0);
    }), { numRuns: 200 });
  });
});
