import { describe, it, expect } from 'vitest';
import { ErrCode, ErrorAction, MsgType } from './types';
import type { DecodeResult } from './types';
import { MessageReader } from './reader';
import { encodeMessage } from './message';
import { encodeEndOfRib } from './pack';
import { Afi } from './types';
import { EBGP4, MANDATORY, NLRI_10_1_2, hex, update } from './testkit';

const KEEPALIVE = encodeMessage({ type: MsgType.KEEPALIVE }, EBGP4);
const STREAM = Buffer.concat([KEEPALIVE, update({ attrs: MANDATORY, nlri: NLRI_10_1_2 }), encodeEndOfRib(Afi.IPv6), KEEPALIVE]);

function drain(r: MessageReader): DecodeResult[] {
  const out: DecodeResult[] = [];
  for (let x = r.next(); x; x = r.next()) out.push(x);
  return out;
}

describe('MessageReader', () => {
  it('frames the same messages whatever the chunk size', () => {
    for (let size = 1; size <= STREAM.length; size++) {
      const r = new MessageReader(() => EBGP4);
      const got: DecodeResult[] = [];
      for (let i = 0; i < STREAM.length; i += size) {
        r.push(STREAM.subarray(i, i + size));
        got.push(...drain(r));
      }
      expect(got.map((g) => g.raw.toString('hex')), `chunk size ${size}`).toEqual([
        KEEPALIVE.toString('hex'),
        update({ attrs: MANDATORY, nlri: NLRI_10_1_2 }).toString('hex'),
        encodeEndOfRib(Afi.IPv6).toString('hex'),
        KEEPALIVE.toString('hex'),
      ]);
      expect(got.every((g) => g.ok)).toBe(true);
      expect(r.buffered).toBe(0);
    }
  });

  it('decodes messages inside one chunk from views of it (no copy)', () => {
    const r = new MessageReader(() => EBGP4);
    r.push(STREAM);
    const got = drain(r);
    expect(got).toHaveLength(4);
    for (const g of got) expect(g.raw.buffer).toBe(STREAM.buffer);
  });

  it('copies only a message that straddles chunks', () => {
    const r = new MessageReader(() => EBGP4);
    const a = STREAM.subarray(0, 25);
    const b = STREAM.subarray(25);
    r.push(a);
    const first = drain(r);
    expect(first).toHaveLength(1);
    r.push(b);
    const rest = drain(r);
    expect(rest).toHaveLength(3);
    expect(rest[0].raw.buffer).not.toBe(a.buffer);
    expect(rest[1].raw.buffer).toBe(b.buffer);
  });

  it('reports a bad marker at once and then stops framing', () => {
    const r = new MessageReader(() => EBGP4);
    const bad = Buffer.from(KEEPALIVE);
    bad[3] = 0;
    r.push(Buffer.concat([bad, KEEPALIVE]));
    const x = r.next();
    expect(x?.ok).toBe(false);
    expect(x && !x.ok && x.notification).toEqual({ code: ErrCode.MESSAGE_HEADER, subcode: 1, data: new Uint8Array(0) });
    expect(r.next()).toBeNull();
  });

  it('reports a length above 4096 without waiting for the bytes', () => {
    const r = new MessageReader(() => EBGP4);
    r.push(hex('ffffffffffffffffffffffffffffffff 1001 02'));
    const x = r.next();
    expect(x?.action).toBe(ErrorAction.SESSION_RESET);
    expect(x && !x.ok && Buffer.from(x.notification.data).toString('hex')).toBe('1001');
  });

  it('asks the context per message, so a change after OPEN applies to the next message', () => {
    let ctx = EBGP4;
    const r = new MessageReader(() => ctx);
    const big = update({ attrs: MANDATORY, nlri: NLRI_10_1_2.repeat(1200) });
    ctx = { ...EBGP4, extendedMessage: true };
    r.push(big);
    expect(r.next()?.ok).toBe(true);
  });
  // 380,000 one-byte chunks: with Array.shift()/splice() per consumed chunk this took ~30 s; with
  // a head index it takes well under a second, so the timeout only trips on quadratic behaviour.
  it('drains a backlog of many tiny chunks in linear time', { timeout: 10_000 }, () => {
    const r = new MessageReader(() => EBGP4);
    const stream = Buffer.concat(Array.from({ length: 20_000 }, () => KEEPALIVE));
    for (let i = 0; i < stream.length; i++) r.push(stream.subarray(i, i + 1));
    const got = drain(r);
    expect(got).toHaveLength(20_000);
    expect(got.every((g) => g.ok && g.msg.type === MsgType.KEEPALIVE)).toBe(true);
    expect(r.buffered).toBe(0);
    r.push(KEEPALIVE);
    expect(drain(r)).toHaveLength(1);
  });
});
