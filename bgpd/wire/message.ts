// Whole-message encode and decode: header checks, then the per-type codec, then the one action
// the session must take (the most severe of all problems found).
import { ErrCode, ErrorAction, MsgType } from './types';
import type { BgpMessage, CodecContext, DecodeResult, WireNotification, WireProblem } from './types';
import { HEADER_LEN, HeaderSub } from './codes';
import { checkHeader, maxMessageSize } from './header';
import { problem } from './problems';
import { decodeOpen, encodeOpen } from './open';
import { decodeUpdate, encodeUpdate } from './update';
import { decodeNotification, encodeNotification } from './notification';
import { decodeRouteRefresh, encodeKeepalive, encodeRouteRefresh } from './route-refresh';

/** Full message bytes, header included. Throws on values that cannot be encoded (caller bug). */
export function encodeMessage(msg: BgpMessage, ctx: CodecContext): Buffer {
  switch (msg.type) {
    case MsgType.OPEN:
      return encodeOpen(msg);
    case MsgType.UPDATE:
      return encodeUpdate(msg, ctx);
    case MsgType.NOTIFICATION:
      return encodeNotification(msg, maxMessageSize(ctx));
    case MsgType.KEEPALIVE:
      return encodeKeepalive();
    case MsgType.ROUTE_REFRESH:
      return encodeRouteRefresh(msg);
  }
}

function fail(
  raw: Buffer,
  action: ErrorAction.SESSION_RESET | ErrorAction.AFISAFI_DISABLE,
  notification: WireNotification,
  problems: WireProblem[],
  msg?: BgpMessage,
): DecodeResult {
  const r: DecodeResult = { ok: false, action, notification, problems, raw };
  if (msg) r.msg = msg;
  return r;
}

function reset(raw: Buffer, notification: WireNotification, reason: string, problems: WireProblem[] = [], msg?: BgpMessage): DecodeResult {
  problems.push(problem(ErrorAction.SESSION_RESET, reason, raw));
  return fail(raw, ErrorAction.SESSION_RESET, notification, problems, msg);
}

function worst(problems: readonly WireProblem[]): ErrorAction {
  let a: ErrorAction = ErrorAction.NONE;
  for (const p of problems) if (p.action > a) a = p.action;
  return a;
}

function decodeChecked(raw: Buffer, ctx: CodecContext): DecodeResult {
  if (raw.length < HEADER_LEN) {
    const data = raw.length >= 18 ? Uint8Array.of(raw[16], raw[17]) : new Uint8Array(0);
    return reset(raw, { code: ErrCode.MESSAGE_HEADER, subcode: HeaderSub.BAD_MESSAGE_LENGTH, data }, `only ${raw.length} bytes, below a header`);
  }
  const h = checkHeader(raw, 0, ctx);
  if (!h.ok) return reset(raw, h.notification, h.reason);
  if (h.length !== raw.length) {
    return reset(
      raw,
      { code: ErrCode.MESSAGE_HEADER, subcode: HeaderSub.BAD_MESSAGE_LENGTH, data: Uint8Array.of(raw[16], raw[17]) },
      `length field ${h.length} but ${raw.length} bytes`,
    );
  }
  switch (h.type) {
    case MsgType.OPEN: {
      const r = decodeOpen(raw);
      if (!r.ok) return reset(raw, r.notification, r.reason, r.problems, r.msg);
      return { ok: true, msg: r.msg, action: ErrorAction.NONE, problems: r.problems, raw };
    }
    case MsgType.UPDATE: {
      const r = decodeUpdate(raw, ctx);
      const action = worst(r.problems);
      if (action === ErrorAction.SESSION_RESET || action === ErrorAction.AFISAFI_DISABLE) {
        return fail(raw, action, r.fatal as WireNotification, r.problems, r.msg);
      }
      return { ok: true, msg: r.msg as BgpMessage, action, problems: r.problems, raw };
    }
    case MsgType.NOTIFICATION:
      return { ok: true, msg: decodeNotification(raw), action: ErrorAction.NONE, problems: [], raw };
    case MsgType.KEEPALIVE:
      return { ok: true, msg: { type: MsgType.KEEPALIVE }, action: ErrorAction.NONE, problems: [], raw };
    case MsgType.ROUTE_REFRESH: {
      const r = decodeRouteRefresh(raw);
      if (!r.ok) return reset(raw, r.notification, r.reason);
      return { ok: true, msg: r.msg, action: ErrorAction.NONE, problems: r.problems, raw };
    }
  }
}

/**
 * Decode one complete message (exactly the bytes of one message, header included). Total: any
 * input yields a result; a decoder bug surfaces as a session reset whose problem reason starts
 * with "internal decoder error" rather than as an exception in the session's data handler.
 */
export function decodeMessage(buf: Buffer, ctx: CodecContext): DecodeResult {
  try {
    return decodeChecked(buf, ctx);
  } catch (e) {
    // The error code of the message type being decoded: OPEN, UPDATE, ROUTE-REFRESH have their own.
    const byType = [ErrCode.MESSAGE_HEADER, ErrCode.OPEN_MESSAGE, ErrCode.UPDATE_MESSAGE, ErrCode.MESSAGE_HEADER, ErrCode.MESSAGE_HEADER, ErrCode.ROUTE_REFRESH];
    const code = buf.length > 18 && buf[18] >= 1 && buf[18] <= 5 ? byType[buf[18]] : ErrCode.MESSAGE_HEADER;
    return reset(buf, { code, subcode: 0, data: new Uint8Array(0) }, `internal decoder error: ${(e as Error).message}`);
  }
}
