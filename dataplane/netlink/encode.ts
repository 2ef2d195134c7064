import { NLA_F_NESTED, NLMSG_HDRLEN, NLM_F_REQUEST } from './constants';

const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Appends netlink messages (header, fixed struct, attributes) into one growing buffer, so a batch of
 * thousands of requests is encoded without per-message allocations and sent with one syscall.
 * Multi-byte fixed fields are host-endian (little-endian here); callers pass network-order data as bytes.
 */
export class MessageWriter {
  private buf: Buffer;
  private off = 0;
  private msgStart = -1;
  /** OR-ed into every message's flags (the socket sets NLM_F_ACK here: every request is acked). */
  forcedFlags = 0;

  constructor(initialSize = 4096) {
    this.buf = Buffer.alloc(initialSize);
  }

  get length(): number {
    return this.off;
  }

  private reserve(n: number): void {
    if (this.off + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.off + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  /** Starts a message; NLM_F_REQUEST is always added. */
  begin(type: number, flags: number, seq: number): this {
    if (this.msgStart >= 0) throw new Error('MessageWriter: previous message not ended');
    this.reserve(NLMSG_HDRLEN);
    this.msgStart = this.off;
    this.buf.writeUInt32LE(0, this.off);
    this.buf.writeUInt16LE(type, this.off + 4);
    this.buf.writeUInt16LE(flags | NLM_F_REQUEST | this.forcedFlags, this.off + 6);
    this.buf.writeUInt32LE(seq >>> 0, this.off + 8);
    this.buf.writeUInt32LE(0, this.off + 12);
    this.off += NLMSG_HDRLEN;
    return this;
  }

  /** Finishes the current message (writes nlmsg_len). */
  end(): this {
    if (this.msgStart < 0) throw new Error('MessageWriter: no message started');
    this.buf.writeUInt32LE(this.off - this.msgStart, this.msgStart);
    this.msgStart = -1;
    return this;
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.off++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.reserve(2);
    this.buf.writeUInt16LE(v & 0xffff, this.off);
    this.off += 2;
    return this;
  }
  u32(v: number): this {
    this.reserve(4);
    this.buf.writeUInt32LE(v >>> 0, this.off);
    this.off += 4;
    return this;
  }
  i32(v: number): this {
    this.reserve(4);
    this.buf.writeInt32LE(v | 0, this.off);
    this.off += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.off);
    this.off += b.length;
    return this;
  }
  private pad(): void {
    const p = align4(this.off) - this.off;
    this.reserve(p);
    this.buf.fill(0, this.off, this.off + p);
    this.off += p;
  }

  attr(type: number, data: Uint8Array): this {
    this.reserve(4 + data.length + 3);
    this.buf.writeUInt16LE(4 + data.length, this.off);
    this.buf.writeUInt16LE(type, this.off + 2);
    this.off += 4;
    this.buf.set(data, this.off);
    this.off += data.length;
    this.pad();
    return this;
  }
  attrU8(type: number, v: number): this {
    return this.attr(type, Uint8Array.of(v & 0xff));
  }
  attrU16(type: number, v: number): this {
    this.reserve(8);
    this.buf.writeUInt16LE(6, this.off);
    this.buf.writeUInt16LE(type, this.off + 2);
    this.buf.writeUInt16LE(v & 0xffff, this.off + 4);
    this.buf.writeUInt16LE(0, this.off + 6);
    this.off += 8;
    return this;
  }
  /** 16-bit value in network byte order (ports). */
  attrU16be(type: number, v: number): this {
    this.reserve(8);
    this.buf.writeUInt16LE(6, this.off);
    this.buf.writeUInt16LE(type, this.off + 2);
    this.buf.writeUInt16BE(v & 0xffff, this.off + 4);
    this.buf.writeUInt16LE(0, this.off + 6);
    this.off += 8;
    return this;
  }
  attrU32(type: number, v: number): this {
    this.reserve(8);
    this.buf.writeUInt16LE(8, this.off);
    this.buf.writeUInt16LE(type, this.off + 2);
    this.buf.writeUInt32LE(v >>> 0, this.off + 4);
    this.off += 8;
    return this;
  }
  /** NUL-terminated string attribute. */
  attrString(type: number, s: string): this {
    const b = Buffer.from(`${s}\0`, 'utf8');
    return this.attr(type, b);
  }
  /**
   * Opens a nested attribute; returns the token to pass to nestEnd. NLA_F_NESTED is off by default, as
   * iproute2 sends it: old attributes (VETH_INFO_PEER, RTA_MULTIPATH) are not NLA_NESTED in the kernel
   * policy and strict validation may reject the flag there.
   */
  nestStart(type: number, nestedFlag = false): number {
    this.reserve(4);
    const at = this.off;
    this.buf.writeUInt16LE(0, at);
    this.buf.writeUInt16LE(nestedFlag ? type | NLA_F_NESTED : type, at + 2);
    this.off += 4;
    return at;
  }
  nestEnd(token: number): this {
    this.pad();
    this.buf.writeUInt16LE(this.off - token, token);
    return this;
  }
  /** Opens an unpadded length-prefixed region (e.g. rtnexthop): caller writes the struct after the token. */
  markLen16(): number {
    this.reserve(2);
    const at = this.off;
    this.buf.writeUInt16LE(0, at);
    this.off += 2;
    return at;
  }
  closeLen16(token: number): this {
    this.buf.writeUInt16LE(this.off - token, token);
    return this;
  }

  /** A copy of everything written so far. */
  toBuffer(): Buffer {
    if (this.msgStart >= 0) throw new Error('MessageWriter: message not ended');
    return Buffer.from(this.buf.subarray(0, this.off));
  }
  /** A view (no copy) of everything written so far; valid until the next write or reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.off);
  }
  reset(): void {
    this.off = 0;
    this.msgStart = -1;
  }
}
