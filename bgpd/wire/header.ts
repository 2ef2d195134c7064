// The 19-byte message header (RFC 4271 §4.1) and its checks (§6.1).
import { ErrCode, MsgType } from './types';
import type { CodecContext, WireNotification } from './types';
import { HEADER_LEN, HeaderSub, MAX_EXTENDED_MESSAGE, MAX_MESSAGE } from './codes';

/** A message buffer of `total` bytes with marker, length and type written; body left to the caller. */
export function allocMessage(type: MsgType, total: number): Buffer {
  const b = Buffer.allocUnsafe(total);
  b.fill(0xff, 0, 16);
  b.writeUInt16BE(total, 16);
  b[18] = type;
  return b;
}

export function maxMessageSize(ctx: CodecContext): number {
  return ctx.extendedMessage ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE;
}

export type HeaderCheck =
  | { ok: true; length: number; type: MsgType }
  | { ok: false; notification: WireNotification; reason: string };

function lengthError(len: number, reason: string): HeaderCheck {
  const data = new Uint8Array(2);
  data[0] = len >> 8;
  data[1] = len & 0xff;
  return { ok: false, notification: { code: ErrCode.MESSAGE_HEADER, subcode: HeaderSub.BAD_MESSAGE_LENGTH, data }, reason };
}

/** Minimum body lengths per type; ROUTE-REFRESH length is checked by its decoder (RFC 7313 code 7). */
const MIN_LEN: Record<number, number> = {
  [MsgType.OPEN]: 29,
  [MsgType.UPDATE]: 23,
  [MsgType.NOTIFICATION]: 21,
  [MsgType.KEEPALIVE]: 19,
  [MsgType.ROUTE_REFRESH]: 19,
};

/** Check the header at b[off..off+19) (caller guarantees 19 bytes). Order follows RFC 4271 §6.1. */
export function checkHeader(b: Uint8Array, off: number, ctx: CodecContext): HeaderCheck {
  for (let i = 0; i < 16; i++) {
    if (b[off + i] !== 0xff) {
      return {
        ok: false,
        notification: { code: ErrCode.MESSAGE_HEADER, subcode: HeaderSub.CONNECTION_NOT_SYNCHRONIZED, data: new Uint8Array(0) },
        reason: 'marker is not all ones',
      };
    }
  }
  const len = (b[off + 16] << 8) | b[off + 17];
  const type = b[off + 18];
  if (len < HEADER_LEN) return lengthError(len, `length ${len} below 19`);
  const max = maxMessageSize(ctx);
  if (len > max) return lengthError(len, `length ${len} above ${max}`);
  const min = MIN_LEN[type];
  if (min === undefined) {
    return {
      ok: false,
      notification: { code: ErrCode.MESSAGE_HEADER, subcode: HeaderSub.BAD_MESSAGE_TYPE, data: Uint8Array.of(type) },
      reason: `unknown message type ${type}`,
    };
  }
  if (len < min) return lengthError(len, `length ${len} below ${min} for type ${type}`);
  if (type === MsgType.KEEPALIVE && len !== HEADER_LEN) return lengthError(len, `KEEPALIVE length ${len}`);
  // RFC 8654 §4: OPEN and KEEPALIVE stay within 4096 even when extended messages are negotiated.
  if (type === MsgType.OPEN && len > MAX_MESSAGE) return lengthError(len, `OPEN length ${len} above 4096`);
  return { ok: true, length: len, type };
}
