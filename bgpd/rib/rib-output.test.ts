import { describe, expect, it } from 'vitest';
import { Afi } from '../wire/types';
import { decodeTestUpdate } from './testing-encoder';
import { addUpPeer, announced, ctx, LOCAL_AS, makeRib, P, run, sent, seq, T, upd, withdrawnOf } from './test-kit';

const blocks = (n: number, third = 0): string[] => Array.from({ length: n }, (_, i) => `10.${third + (i >> 8)}.${i & 255}.0/24`);

describe('update packing', () => {
  it('packs prefixes sharing attributes into few UPDATEs within the negotiated size', () => {
    const rib = makeRib();
    const src = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    const small = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2', ctx(true, false));
    const big = addUpPeer(rib, { address: '198.18.0.3', remoteAs: LOCAL_AS }, '10.0.0.3', ctx(true, true));
    run(rib);
    sent(rib);
    rib.update(src, upd(blocks(3000), { asPath: seq(65100) }));
    rib.update(src, upd(blocks(10, 100), { asPath: seq(65100, 7) }));
    run(rib, 100_000);
    const out = sent(rib);
    const toSmall = out.get(small) ?? [];
    // 3000 x 4-byte prefixes in <= 4096-byte messages: 3 messages, plus 1 for the second set
    expect(toSmall).toHaveLength(4);
    expect(announced(toSmall).size).toBe(3010);
    expect(toSmall.every((u) => u.nlri.length > 0 && new Set(u.nlri.map(() => JSON.stringify(u.attrs))).size === 1)).toBe(true);
    expect(out.get(big)).toHaveLength(2); // 65535-byte messages: one per attribute set
    rib.update(src, upd([], {}, blocks(3000)));
    run(rib, 100_000);
    const w = sent(rib).get(small) ?? [];
    expect(w).toHaveLength(3);
    expect(withdrawnOf(w)).toHaveLength(3000);
  });
});

describe('update groups', () => {
  it('encodes once and hands the same Buffer objects to every member', () => {
    const rib = makeRib({ clusterId: '1.1.1.1' });
    const src = addUpPeer(rib, { address: '198.18.1.10', remoteAs: 65100 }, '10.0.0.10');
    const clients = [11, 12, 13, 14].map((n) => addUpPeer(rib, { address: `198.18.0.${n}`, remoteAs: LOCAL_AS, rrClient: true }, `10.0.0.${n}`));
    run(rib);
    rib.takeOutput();
    const before = rib.enc.encoded;
    rib.update(src, upd(blocks(100), { asPath: seq(65100) }));
    rib.update(src, upd(blocks(5, 50), { asPath: seq(65100), med: 3 }));
    run(rib);
    const out = rib.takeOutput();
    const first = out.get(clients[0]) ?? [];
    expect(first.length).toBeGreaterThan(0);
    for (const c of clients.slice(1)) {
      const bufs = out.get(c) ?? [];
      expect(bufs).toHaveLength(first.length);
      bufs.forEach((b, i) => expect(b).toBe(first[i]));
    }
    expect(rib.enc.encoded - before).toBe(2); // two attribute sets, one encoding each
    const groups = new Set(clients.map((c) => rib.peer(c).groups.get(Afi.IPv4)));
    expect(groups.size).toBe(1);
    expect(rib.updateGroups().find((g) => g.afi === Afi.IPv4 && g.members.length === 4)).toMatchObject({
      members: ['198.18.0.11', '198.18.0.12', '198.18.0.13', '198.18.0.14'], prefixes: 105, attrSets: 2, syncing: false,
    });
  });

  it('separates peers whose encoding differs', () => {
    const rib = makeRib();
    const a = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2', ctx(true, false));
    const b = addUpPeer(rib, { address: '198.18.0.3', remoteAs: LOCAL_AS }, '10.0.0.3', ctx(true, true));
    run(rib);
    expect(rib.peer(a).groups.get(Afi.IPv4)).not.toBe(rib.peer(b).groups.get(Afi.IPv4));
  });

  it('a late joiner gets the current table and End-of-RIB; a route refresh resends the table', () => {
    const rib = makeRib();
    const a = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    for (const b of blocks(20)) rib.originate(Afi.IPv4, P(b));
    run(rib);
    const first = sent(rib).get(a) ?? [];
    expect(announced(first).size).toBe(20);
    expect(first.filter((u) => u.eor && u.afi === Afi.IPv4)).toHaveLength(1);
    const late = addUpPeer(rib, { address: '198.18.0.3', remoteAs: LOCAL_AS }, '10.0.0.3');
    run(rib, 7);
    const out = sent(rib);
    expect(out.get(a)).toBeUndefined();
    const l = out.get(late) ?? [];
    expect(announced(l).size).toBe(20);
    expect(l.filter((u) => u.eor && u.afi === Afi.IPv4)).toHaveLength(1);
    expect(l.at(-1)?.eor).toBe(true);
    rib.routeRefresh(late, Afi.IPv4);
    run(rib);
    const again = sent(rib);
    expect(announced(again.get(late)).size).toBe(20);
    expect(again.get(a)).toBeUndefined();
  });

  it('a peer going down leaves the group; the last one destroys it', () => {
    const rib = makeRib();
    const a = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const b = addUpPeer(rib, { address: '198.18.0.3', remoteAs: LOCAL_AS }, '10.0.0.3');
    run(rib);
    const key = rib.peer(a).groups.get(Afi.IPv4)?.key as string;
    rib.peerDown(a);
    run(rib);
    expect(rib.groups.get(key)?.members.has(b)).toBe(true);
    rib.peerDown(b);
    run(rib);
    expect(rib.groups.has(key)).toBe(false);
  });
});

describe('attribute interning', () => {
  it('keeps one copy per distinct set and frees every set when everything is withdrawn', () => {
    const rib = makeRib({ clusterId: '1.1.1.1' });
    const e = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    const c = addUpPeer(rib, { address: '198.18.0.11', remoteAs: LOCAL_AS, rrClient: true }, '10.0.0.11');
    addUpPeer(rib, { address: '198.18.2.2', remoteAs: 65200, allowTransit: true }, '10.2.0.2');
    addUpPeer(rib, { address: '198.18.0.12', remoteAs: LOCAL_AS, rrClient: true }, '10.0.0.12');
    rib.update(e, upd(blocks(300), { asPath: seq(65100), communities: [2, 1] }));
    rib.update(e, upd(blocks(300, 10), { asPath: seq(65100), communities: [1, 2, 2] })); // same set, other order
    rib.update(c, upd(blocks(50), { nextHop: '198.18.0.11' }));
    rib.originate(Afi.IPv4, P('10.200.0.0/26'));
    run(rib);
    expect(rib.attrs.size).toBe(3);
    const id = rib.slots.attr[rib.loc(Afi.IPv4).best(P('10.10.0.0/24'))];
    expect(rib.attrs.refCount(id)).toBe(600);
    for (const g of rib.groups.values()) if (g.s.afi === Afi.IPv4) expect(g.out.size).toBeGreaterThan(0);
    rib.update(e, upd([], {}, [...blocks(300), ...blocks(300, 10)]));
    rib.update(c, upd([], {}, blocks(50)));
    rib.withdrawLocal(Afi.IPv4, P('10.200.0.0/26'));
    run(rib);
    expect(rib.attrs.size).toBe(0);
    for (const g of rib.groups.values()) {
      expect(g.adjOut.size).toBe(0);
      expect(g.out.size).toBe(0);
    }
    expect(rib.slots.count).toBe(0);
    expect(rib.loc(Afi.IPv4).table.size).toBe(0);
  });
});

describe('output coalescing', () => {
  it('holds changes back across batches while input is queued, so small UPDATEs pack well', () => {
    const count = (coalescePrefixes: number) => {
      const rib = makeRib({ coalescePrefixes });
      const a = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
      const src = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
      run(rib);
      sent(rib);
      const list = blocks(400);
      for (let i = 0; i < list.length; i += 2) rib.update(src, upd(list.slice(i, i + 2), { asPath: seq(65100), med: (i / 2) % 2 }));
      let messages = 0;
      while (rib.processBatch(50)) messages += rib.takeOutput().get(a)?.length ?? 0;
      return messages + (rib.takeOutput().get(a)?.length ?? 0);
    };
    expect(count(1)).toBeGreaterThanOrEqual(16); // two sets per 50-prefix batch
    expect(count(50_000)).toBe(2); // one UPDATE per attribute set
  });
});

describe('bounded batches', () => {
  it('does at most about `budget` prefixes per batch and emits output after each batch', () => {
    const rib = makeRib({ coalescePrefixes: 1 });
    const a = addUpPeer(rib, { address: '198.18.0.2', remoteAs: LOCAL_AS }, '10.0.0.2');
    const src = addUpPeer(rib, { address: '198.18.1.2', remoteAs: 65100 }, '10.1.0.2');
    run(rib);
    sent(rib);
    rib.update(src, upd(blocks(1000), { asPath: seq(65100) }));
    let batches = 0;
    let seen = 0;
    while (rib.processBatch(100)) {
      batches++;
      const o = rib.takeOutput().get(a) ?? [];
      seen += o.map(decodeTestUpdate).reduce((n, u) => n + u.nlri.length, 0);
      expect(rib.loc(Afi.IPv4).table.size).toBeLessThanOrEqual(batches * 100);
    }
    seen += (rib.takeOutput().get(a) ?? []).map(decodeTestUpdate).reduce((n, u) => n + u.nlri.length, 0);
    expect(batches).toBeGreaterThanOrEqual(9);
    expect(seen).toBe(1000);
    expect(T(P('10.0.0.0/24'))).toBe('10.0.0.0/24');
  });
});
