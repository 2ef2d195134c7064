import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MessageWriter } from './encode';
import { attrString, attrU16be, attrU32, parseAttrs, parseError, parseMessages } from './decode';
import { NLMSG_ERROR, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_REQUEST, NLA_F_NESTED } from './constants';
import { NetlinkError, errnoName } from './errors';

describe('MessageWriter', () => {
  it('writes nlmsghdr with total length, type, REQUEST|forced flags and seq', () => {
    const w = new MessageWriter(8);
    w.forcedFlags = NLM_F_ACK;
    w.begin(24, 0x400, 77).u8(2).u8(32).u16(0).attrU32(6, 5).end();
    const b = w.toBuffer();
    expect(b.length).toBe(16 + 4 + 8);
    expect(b.readUInt32LE(0)).toBe(28);
    expect(b.readUInt16LE(4)).toBe(24);
    expect(b.readUInt16LE(6)).toBe(0x400 | NLM_F_REQUEST | NLM_F_ACK);
    expect(b.readUInt32LE(8)).toBe(77);
    expect(b.readUInt32LE(12)).toBe(0);
    expect([...b.subarray(20, 28)]).toEqual([8, 0, 6, 0, 5, 0, 0, 0]);
  });

  it('pads attributes to 4 bytes but records the unpadded length', () => {
    const w = new MessageWriter();
    w.begin(16, 0, 1).attrString(3, 'abc0x').attrU8(7, 1).attrU16be(15, 4789).end();
    const b = w.toBuffer();
    expect(b.readUInt16LE(16)).toBe(4 + 6); // "abc0x\0"
    expect(b.readUInt16LE(28)).toBe(5);
    expect(b.readUInt16LE(36)).toBe(6);
    expect(b.readUInt16BE(40)).toBe(4789);
    expect(b.length % 4).toBe(0);
    const a = parseAttrs(parseMessages(b)[0].payload);
    expect(attrString(a, 3)).toBe('abc0x');
    expect(attrU16be(a, 15)).toBe(4789);
  });

  it('nests attributes with the right outer length, flag optional', () => {
    const w = new MessageWriter();
    w.begin(16, 0, 1);
    const outer = w.nestStart(18, true);
    w.attrString(1, 'vxlan');
    const inner = w.nestStart(2);
    w.attrU32(1, 4096);
    w.nestEnd(inner);
    w.nestEnd(outer);
    w.end();
    const p = parseMessages(w.toBuffer())[0].payload;
    expect(p.readUInt16LE(2)).toBe(18 | NLA_F_NESTED);
    expect(p.readUInt16LE(0)).toBe(p.length);
    const a = parseAttrs(p);
    const li = parseAttrs(a.get(18) as Buffer);
    expect(attrString(li, 1)).toBe('vxlan');
    expect(attrU32(parseAttrs(li.get(2) as Buffer), 1)).toBe(4096);
  });

  it('grows past its initial size and keeps earlier messages intact', () => {
    const w = new MessageWriter(16);
    for (let i = 0; i < 500; i++) w.begin(24, 0, i).attr(1, Buffer.alloc(i % 7, i & 255)).end();
    const msgs = parseMessages(w.toBuffer());
    expect(msgs.map((m) => m.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(msgs.every((m, i) => (parseAttrs(m.payload).get(1) as Buffer).equals(Buffer.alloc(i % 7, i & 255)))).toBe(true);
  });

  it('refuses unbalanced begin/end', () => {
    const w = new MessageWriter();
    expect(() => w.end()).toThrow();
    w.begin(1, 0, 1);
    expect(() => w.begin(1, 0, 2)).toThrow();
    expect(() => w.toBuffer()).toThrow();
  });

  it('round-trips arbitrary attribute lists (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ type: fc.integer({ min: 1, max: 0x3fff }), data: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 20 }),
      (attrs) => {
        const w = new MessageWriter(4);
        w.begin(24, 0, 9);
        for (const a of attrs) w.attr(a.type, a.data);
        w.end();
        const msgs = parseMessages(w.toBuffer());
        expect(msgs).toHaveLength(1);
        const parsed = parseAttrs(msgs[0].payload);
        const last = new Map(attrs.map((a) => [a.type, Buffer.from(a.data)]));
        expect([...parsed.entries()].map(([t, b]) => [t, [...b]])).toEqual([...last.entries()].map(([t, b]) => [t, [...b]]));
      },
    ));
  });
});

describe('decode', () => {
  it('stops at truncated or malformed messages instead of reading past the end', () => {
    const w = new MessageWriter();
    w.begin(24, 0, 1).attrU32(1, 1).end().begin(24, 0, 2).attrU32(1, 2).end();
    const b = w.toBuffer();
    expect(parseMessages(b)).toHaveLength(2);
    expect(parseMessages(b, b.length - 1)).toHaveLength(1);
    const bad = Buffer.from(b);
    bad.writeUInt32LE(8, 0); // shorter than a header
    expect(parseMessages(bad)).toHaveLength(0);
    const attrs = Buffer.from([8, 0, 1, 0, 1, 2, 3, 4, 200, 0, 2, 0]);
    expect([...parseAttrs(attrs).keys()]).toEqual([1]);
  });

  function errorMessage(code: number, flags: number, echoLen: number, tlvs?: Buffer): Buffer {
    const w = new MessageWriter();
    w.begin(NLMSG_ERROR, flags, 42).i32(-code);
    // echoed request header (+ its payload when not capped)
    w.u32(echoLen).u16(24).u16(0x605).u32(42).u32(0);
    if (!(flags & NLM_F_CAPPED)) w.bytes(Buffer.alloc(echoLen - 16));
    if (tlvs) w.bytes(tlvs);
    return w.end().toBuffer();
  }

  it('parses acks, errors and extended-ack text (capped and uncapped)', () => {
    const ack = parseError(parseMessages(errorMessage(0, NLM_F_CAPPED, 16))[0]);
    expect(ack).toEqual({ code: 0, requestType: 24, requestSeq: 42 });
    const t = new MessageWriter();
    t.begin(0, 0, 0).attrString(1, 'Nexthop has invalid gateway').end();
    const tlv = t.toBuffer().subarray(16);
    const capped = parseError(parseMessages(errorMessage(101, NLM_F_CAPPED | NLM_F_ACK_TLVS, 40, tlv))[0]);
    expect(capped).toEqual({ code: 101, requestType: 24, requestSeq: 42, extack: 'Nexthop has invalid gateway' });
    const full = parseError(parseMessages(errorMessage(17, NLM_F_ACK_TLVS, 40, tlv))[0]);
    expect(full.extack).toBe('Nexthop has invalid gateway');
    expect(full.code).toBe(17);
    expect(parseError(parseMessages(errorMessage(17, 0, 40))[0]).extack).toBeUndefined();
  });
});

describe('NetlinkError', () => {
  it('names errnos and carries request, code and ext-ack', () => {
    expect(errnoName(17)).toBe('EEXIST');
    expect(errnoName(19)).toBe('ENODEV');
    expect(errnoName(3)).toBe('ESRCH');
    expect(errnoName(101)).toBe('ENETUNREACH');
    expect(errnoName(95)).toBe('EOPNOTSUPP');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(9999)).toBe('E9999');
    const e = new NetlinkError({ code: 101, request: 'RTM_NEWROUTE 10.0.0.0/24', extack: 'Nexthop has invalid gateway', index: 3 });
    expect(e).toBeInstanceOf(Error);
    expect(e.errno).toBe('ENETUNREACH');
    expect(e.code).toBe(101);
    expect(e.index).toBe(3);
    expect(e.message).toBe('ENETUNREACH (Nexthop has invalid gateway) — RTM_NEWROUTE 10.0.0.0/24');
  });
});
