// Helpers for the codec's tests: build messages from hex fragments so that each test reads like
// the byte layout in the RFC. Not used by production code.
import { MsgType } from './types';
import type { CodecContext, DecodeResult, UpdateMessage } from './types';
import { decodeMessage } from './message';

export const EBGP4: CodecContext = { as4: true, extendedMessage: false, ibgp: false };
export const IBGP4: CodecContext = { as4: true, extendedMessage: false, ibgp: true };
export const EBGP2: CodecContext = { as4: false, extendedMessage: false, ibgp: false };

/** Buffer from hex with any whitespace. */
export function hex(s: string): Buffer {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex: ${s}`);
  return Buffer.from(clean, 'hex');
}

/** A full message: marker, length, type, then body. */
export function message(type: number, bodyHex: string): Buffer {
  const body = hex(bodyHex);
  const b = Buffer.alloc(19 + body.length, 0xff);
  b.writeUInt16BE(19 + body.length, 16);
  b[18] = type;
  body.copy(b, 19);
  return b;
}

function h16(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** One path attribute as hex; the length field is 2 bytes when flags carry Extended Length. */
export function attr(flags: number, type: number, valueHex: string): string {
  const v = hex(valueHex);
  const len = flags & 0x10 ? h16(v.length) : v.length.toString(16).padStart(2, '0');
  return flags.toString(16).padStart(2, '0') + type.toString(16).padStart(2, '0') + len + v.toString('hex');
}

/** An UPDATE from its three fields (hex); lengths are filled in. */
export function update(f: { withdrawn?: string; attrs?: string; nlri?: string }): Buffer {
  const w = hex(f.withdrawn ?? '');
  const a = hex(f.attrs ?? '');
  return message(2, h16(w.length) + w.toString('hex') + h16(a.length) + a.toString('hex') + (f.nlri ?? ''));
}

/** Mandatory attributes for a 4-octet eBGP session: ORIGIN IGP, AS_PATH [65001], NEXT_HOP 192.0.2.1. */
export const ORIGIN_IGP = attr(0x40, 1, '00');
export const AS_PATH_65001 = attr(0x40, 2, '02 01 0000fde9');
export const NEXT_HOP_192_0_2_1 = attr(0x40, 3, 'c0000201');
export const MANDATORY = ORIGIN_IGP + AS_PATH_65001 + NEXT_HOP_192_0_2_1;
/** NLRI 10.1.2.0/24. */
export const NLRI_10_1_2 = '18 0a0102';

export function decode(b: Buffer, ctx: CodecContext = EBGP4): DecodeResult {
  return decodeMessage(b, ctx);
}

/** The decoded UPDATE of a result (fails the test when there is none). */
export function updateOf(r: DecodeResult): UpdateMessage {
  if (!r.msg || r.msg.type !== MsgType.UPDATE) throw new Error(`no UPDATE decoded: ${JSON.stringify(r.problems)}`);
  return r.msg;
}
