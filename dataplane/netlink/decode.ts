import { NLA_TYPE_MASK, NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSGERR_ATTR_MSG } from './constants';

const align4 = (n: number): number => (n + 3) & ~3;

export interface NlMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** bytes after the 16-byte header (a view into the receive buffer: copy it if you keep it past the next recv) */
  payload: Buffer;
}

/** Splits a datagram into netlink messages. Stops at a truncated or malformed header instead of throwing. */
export function parseMessages(buf: Buffer, len = buf.length): NlMessage[] {
  const out: NlMessage[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= len) {
    const mlen = buf.readUInt32LE(off);
    if (mlen < NLMSG_HDRLEN || off + mlen > len) break;
    out.push({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + mlen),
    });
    off += align4(mlen);
  }
  return out;
}

/** Attribute type → payload. Later duplicates win; NLA_F_NESTED / byte-order flags are masked off. */
export type Attrs = Map<number, Buffer>;

export function parseAttrs(buf: Buffer, start = 0, end = buf.length): Attrs {
  const out: Attrs = new Map();
  let off = start;
  while (off + 4 <= end) {
    const alen = buf.readUInt16LE(off);
    if (alen < 4 || off + alen > end) break;
    out.set(buf.readUInt16LE(off + 2) & NLA_TYPE_MASK, buf.subarray(off + 4, off + alen));
    off += align4(alen);
  }
  return out;
}

export function attrU32(a: Attrs, type: number): number | undefined {
  const b = a.get(type);
  return b && b.length >= 4 ? b.readUInt32LE(0) : undefined;
}
export function attrU8(a: Attrs, type: number): number | undefined {
  const b = a.get(type);
  return b && b.length >= 1 ? b[0] : undefined;
}
export function attrU16be(a: Attrs, type: number): number | undefined {
  const b = a.get(type);
  return b && b.length >= 2 ? b.readUInt16BE(0) : undefined;
}
export function attrString(a: Attrs, type: number): string | undefined {
  const b = a.get(type);
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul < 0 ? b.length : nul);
}

export interface ErrorReply {
  /** 0 = ack, otherwise positive errno */
  code: number;
  /** header of the request this answers */
  requestType: number;
  requestSeq: number;
  extack?: string;
}

/** Decodes the payload of an NLMSG_ERROR message (struct nlmsgerr + optional extended-ack TLVs). */
export function parseError(msg: NlMessage): ErrorReply {
  if (msg.type !== NLMSG_ERROR) throw new Error(`parseError: message type ${msg.type} is not NLMSG_ERROR`);
  const p = msg.payload;
  if (p.length < 4) return { code: 0, requestType: 0, requestSeq: msg.seq };
  const err = -p.readInt32LE(0) || 0; // (|| 0: no -0 for acks)
  let requestType = 0;
  let requestSeq = msg.seq;
  let echoedLen = 0;
  if (p.length >= 4 + NLMSG_HDRLEN) {
    echoedLen = p.readUInt32LE(4);
    requestType = p.readUInt16LE(8);
    requestSeq = p.readUInt32LE(12);
  }
  const reply: ErrorReply = { code: err, requestType, requestSeq };
  if (msg.flags & NLM_F_ACK_TLVS) {
    // The TLVs follow the echoed request: only its header when capped, else the whole (aligned) message.
    const tlvStart = 4 + (msg.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : align4(echoedLen));
    if (tlvStart <= p.length) {
      const text = attrString(parseAttrs(p, tlvStart), NLMSGERR_ATTR_MSG);
      if (text) reply.extack = text;
    }
  }
  return reply;
}
