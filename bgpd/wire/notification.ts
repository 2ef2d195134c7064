// NOTIFICATION (RFC 4271 §4.5) and the RFC 9003 shutdown communication carried in the data of
// Cease / Administrative Shutdown and Administrative Reset.
import { ErrCode, MsgType } from './types';
import type { NotificationMessage, WireNotification } from './types';
import { CeaseSub, HEADER_LEN } from './codes';
import { allocMessage } from './header';

export function decodeNotification(b: Uint8Array): NotificationMessage {
  return {
    type: MsgType.NOTIFICATION,
    code: b[HEADER_LEN],
    subcode: b[HEADER_LEN + 1],
    data: Uint8Array.from(b.subarray(HEADER_LEN + 2)),
  };
}

export function encodeNotification(msg: NotificationMessage, maxSize: number): Buffer {
  // Data that would not fit is cut: a NOTIFICATION must still go out.
  const dlen = Math.min(msg.data.length, maxSize - HEADER_LEN - 2);
  const b = allocMessage(MsgType.NOTIFICATION, HEADER_LEN + 2 + dlen);
  b[HEADER_LEN] = msg.code;
  b[HEADER_LEN + 1] = msg.subcode;
  b.set(msg.data.subarray(0, dlen), HEADER_LEN + 2);
  return b;
}

/** RFC 9003 §2: at most 255 octets of UTF-8. */
export const SHUTDOWN_MAX = 255;

function isShutdownCease(code: number, subcode: number): boolean {
  return code === ErrCode.CEASE && (subcode === CeaseSub.ADMIN_SHUTDOWN || subcode === CeaseSub.ADMIN_RESET);
}

/**
 * Data for a Cease with a shutdown communication: length byte + UTF-8. Text longer than 255 bytes
 * is cut at a character boundary (never mid-sequence), so the peer always gets valid UTF-8.
 */
export function encodeShutdownCommunication(text: string): Uint8Array {
  let bytes = Buffer.from(text, 'utf8');
  if (bytes.length > SHUTDOWN_MAX) {
    let cut = SHUTDOWN_MAX;
    while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
    bytes = bytes.subarray(0, cut);
  }
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

/** A NOTIFICATION carrying an administrative shutdown (or reset) with a message. */
export function shutdownNotification(text: string, reset = false): NotificationMessage {
  return {
    type: MsgType.NOTIFICATION,
    code: ErrCode.CEASE,
    subcode: reset ? CeaseSub.ADMIN_RESET : CeaseSub.ADMIN_SHUTDOWN,
    data: encodeShutdownCommunication(text),
  };
}

export type ShutdownCommunication =
  | { ok: true; text: string; trailing: Uint8Array }
  | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The shutdown communication of a received NOTIFICATION, or null when it is not an admin
 * shutdown/reset or carries no data. RFC 9003 §4: a bad length or bad UTF-8 is only logged.
 */
export function decodeShutdownCommunication(msg: NotificationMessage): ShutdownCommunication | null {
  if (!isShutdownCease(msg.code, msg.subcode) || msg.data.length === 0) return null;
  const len = msg.data[0];
  if (1 + len > msg.data.length) return { ok: false, reason: `shutdown communication length ${len} exceeds the data` };
  try {
    const text = utf8.decode(msg.data.subarray(1, 1 + len));
    return { ok: true, text, trailing: msg.data.slice(1 + len) };
  } catch {
    return { ok: false, reason: 'shutdown communication is not valid UTF-8' };
  }
}

/**
 * RFC 8538 §3 Hard Reset: Cease/9 wrapping the real cause (code, subcode, data). With the N bit
 * negotiated, any other NOTIFICATION keeps graceful-restart routes; this one flushes them.
 */
export function hardResetNotification(inner: WireNotification): NotificationMessage {
  const data = new Uint8Array(2 + inner.data.length);
  data[0] = inner.code;
  data[1] = inner.subcode;
  data.set(inner.data, 2);
  return { type: MsgType.NOTIFICATION, code: ErrCode.CEASE, subcode: CeaseSub.HARD_RESET, data };
}

/** The cause inside a received Hard Reset, or null when `msg` is not one (or is too short). */
export function unwrapHardReset(msg: NotificationMessage): WireNotification | null {
  if (msg.code !== ErrCode.CEASE || msg.subcode !== CeaseSub.HARD_RESET || msg.data.length < 2) return null;
  return { code: msg.data[0], subcode: msg.data[1], data: msg.data.slice(2) };
}
