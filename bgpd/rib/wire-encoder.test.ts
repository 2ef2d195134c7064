import { describe, expect, it } from 'vitest';
import { decodeMessage, endOfRibFamily } from '../wire';
import { Afi, MsgType } from '../wire/types';
import type { UpdateMessage } from '../wire/types';
import { prefixKey } from './prefix-key';
import { Rib } from './rib';
import { LOCAL_AS, ctx, seq, upd } from './test-kit';
import { wireEncoder } from './wire-encoder';

function decodeAll(bufs: Buffer[] | undefined, ibgp: boolean): UpdateMessage[] {
  return (bufs ?? []).map((b) => {
    expect(b.length).toBeLessThanOrEqual(4096);
    const r = decodeMessage(b, ctx(ibgp));
    expect(r.ok).toBe(true);
    if (!r.ok || r.msg.type !== MsgType.UPDATE) throw new Error('not an UPDATE');
    expect(r.problems).toEqual([]); // e.g. a missing mandatory AS_PATH would show up here
    return r.msg;
  });
}

describe('RIB output through the real codec', () => {
  it('encodes IPv4 (classic) and IPv6 (MP_REACH) updates, withdrawals and End-of-RIB that decode back', () => {
    const rib = new Rib({ localAs: LOCAL_AS, routerId: '192.0.2.1', encoder: wireEncoder });
    const up = (address: string, remoteAs: number, routerId: string) => {
      const id = rib.addPeer({ address, remoteAs });
      rib.peerUp(id, { routerId, ctx: ctx(remoteAs === LOCAL_AS), families: [Afi.IPv4, Afi.IPv6], localAddress: { ipv4: '198.18.0.1', ipv6: 'fd00::1' } });
      return id;
    };
    const i = up('198.18.0.2', LOCAL_AS, '10.0.0.2');
    const e = up('198.18.1.2', 65100, '10.1.0.2');
    for (let n = 0; n < 2000; n++) rib.originate(Afi.IPv4, prefixKey(Afi.IPv4, `10.${n >> 8}.${n & 255}.0/24`));
    rib.originate(Afi.IPv6, prefixKey(Afi.IPv6, 'fd10::/64'));
    rib.update(i, upd(['10.200.0.0/24'], { localPref: 100, asPath: [] }));
    while (rib.processBatch()) { /* drain */ }
    const out = rib.takeOutput();
    const toE = decodeAll(out.get(e), false);
    const v4 = toE.filter((m) => m.nlri.length > 0);
    expect(v4.reduce((n, m) => n + m.nlri.length, 0)).toBe(2000);
    expect(v4.length).toBeLessThanOrEqual(3);
    expect(v4[0].attrs).toMatchObject({ asPath: seq(LOCAL_AS), nextHop: '198.18.0.1', origin: 0 });
    expect(v4[0].attrs.localPref).toBeUndefined();
    const v6 = toE.filter((m) => m.mpReach);
    expect(v6).toHaveLength(1);
    expect(v6[0].mpReach).toMatchObject({ afi: Afi.IPv6, nextHops: ['fd00::1'], nlri: [prefixKey(Afi.IPv6, 'fd10::/64')] });
    expect(toE.map(endOfRibFamily).filter((f) => f !== null).sort()).toEqual([Afi.IPv4, Afi.IPv6]);
    const toI = decodeAll(out.get(i), true);
    expect(toI.filter((m) => m.nlri.length > 0)[0].attrs).toMatchObject({ localPref: 100, nextHop: '198.18.0.1' });
    rib.withdrawLocal(Afi.IPv4, prefixKey(Afi.IPv4, '10.0.5.0/24'));
    while (rib.processBatch()) { /* drain */ }
    const w = decodeAll(rib.takeOutput().get(e), false);
    expect(w).toHaveLength(1);
    expect(w[0].withdrawn).toEqual([prefixKey(Afi.IPv4, '10.0.5.0/24')]);
  });
});

describe('attributes too big for a peer', () => {
  it('are not announced (nor do they stall the queue) while other routes flow', () => {
    const rib = new Rib({ localAs: LOCAL_AS, routerId: '192.0.2.1', encoder: wireEncoder });
    const src = rib.addPeer({ address: '198.18.1.2', remoteAs: 65100 });
    const dst = rib.addPeer({ address: '198.18.0.2', remoteAs: LOCAL_AS });
    rib.peerUp(src, { routerId: '10.1.0.2', ctx: ctx(false, true), families: [Afi.IPv4], localAddress: { ipv4: '198.18.1.1' } });
    rib.peerUp(dst, { routerId: '10.0.0.2', ctx: ctx(true, false), families: [Afi.IPv4], localAddress: { ipv4: '198.18.0.1' } });
    const errors: unknown[] = [];
    rib.onError((e) => errors.push(e));
    const huge = Array.from({ length: 1100 }, (_, i) => 0xfde80000 + i); // 4400 bytes of communities
    rib.update(src, upd(['10.1.0.0/24'], { asPath: seq(65100), communities: huge }));
    rib.update(src, upd(['10.2.0.0/24'], { asPath: seq(65100) }));
    while (rib.processBatch()) { /* drain */ }
    const msgs = decodeAll(rib.takeOutput().get(dst), true);
    expect(msgs.flatMap((m) => m.nlri)).toEqual([prefixKey(Afi.IPv4, '10.2.0.0/24')]);
    expect(rib.peerStats(dst).advertised).toBe(1);
    expect(errors).toHaveLength(1);
    rib.update(src, upd(['10.1.0.0/24'], { asPath: seq(65100) }));
    while (rib.processBatch()) { /* drain */ }
    expect(decodeAll(rib.takeOutput().get(dst), true).flatMap((m) => m.nlri)).toEqual([prefixKey(Afi.IPv4, '10.1.0.0/24')]);
  });
});
