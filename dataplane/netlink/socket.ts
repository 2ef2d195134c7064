import {
  AF_NETLINK, MSG_DONTWAIT, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, NETLINK_ROUTE,
  NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_FILTERED, SOCK_CLOEXEC, SOCK_RAW,
  SOL_NETLINK, SOL_SOCKET, SO_RCVBUF, SO_RCVBUFFORCE, SO_SNDBUF, SO_SNDBUFFORCE,
} from './constants';
import { parseError, parseMessages } from './decode';
import type { NlMessage } from './decode';
import { MessageWriter } from './encode';
import { NetlinkError } from './errors';
import {
  EAGAIN, EINTR, lastErrno, sysBind, sysClose, sysGetsockoptInt, sysRecv, sysSend, sysSetsockoptInt, sysSetsockoptTimeval,
  sysSocket,
} from './libc';
import { withNetns } from '../netns';

const SO_RCVTIMEO = 20;
const ETIMEDOUT = 110;
const ENOBUFS = 105;

export interface NetlinkSocketOptions {
  /** netns name or path; the socket is created inside it and stays bound to it */
  netns?: string;
  /** legacy multicast group bitmask (RTMGRP_*) to subscribe to at bind time */
  groups?: number;
  /** receive/send buffer sizes in bytes (forced past rmem_max when we have CAP_NET_ADMIN) */
  rcvbuf?: number;
  sndbuf?: number;
  /** safety net for blocking reads: rtnetlink answers synchronously, so this only fires on a bug */
  recvTimeoutMs?: number;
}

/** Writes the fixed header and attributes of one request (after nlmsghdr). */
export type BodyEncoder = (w: MessageWriter) => void;

/**
 * A batch described by index, so bulk callers need no per-request closures. encode(w, i, seq) writes
 * request i (w.begin(type, flags, seq) … w.end()), or writes nothing and returns an error for input it
 * rejects; describe(i) is only called for requests that failed.
 */
export interface BatchSource {
  count: number;
  encode(w: MessageWriter, i: number, seq: number): NetlinkError | null;
  describe(i: number): string;
}

export interface BatchItem {
  type: number;
  /** NLM_F_* besides REQUEST and ACK, which are always set */
  flags: number;
  body: BodyEncoder;
  /** called only when this item failed, to build NetlinkError.request */
  describe: () => string;
}

const DEFAULT_BUF = 8 * 1024 * 1024;

// Closes the fd of a socket that was garbage-collected without close(), so leaks stay bounded.
const unclosed = new FinalizationRegistry<number>((fd) => { sysClose(fd); });
/**
 * Acks per send. Each ack skb costs ~1 KiB of receive-buffer truesize (more for errors with ext-ack),
 * and the kernel drops acks (ENOBUFS) rather than blocking once the buffer is full, so a chunk must
 * fit comfortably: 2048 × ~1 KiB ≪ 8 MiB (the forced buffer is doubled by the kernel).
 */
export const DEFAULT_BATCH_CHUNK = 2048;

/**
 * One rtnetlink socket. All calls are synchronous syscalls on the calling thread: rtnetlink handles a
 * request inside sendmsg, so the answer is already queued when send returns and reads never wait.
 */
export class NetlinkSocket {
  readonly fd: number;
  readonly netns: string | undefined;
  private seq: number;
  private closed = false;
  /**
   * Most acks one batch chunk may produce without overflowing the receive buffer we actually got
   * (without CAP_NET_ADMIN it is capped by net.core.rmem_max). ~1.5 KiB of truesize per error ack.
   */
  readonly maxChunk: number;
  /** bytes a batch chunk may reach before it is sent: a quarter of SO_SNDBUF as read back (the kernel doubles what was set) */
  readonly maxSendBytes: number;
  /** whether the kernel marked the last dump's replies NLM_F_DUMP_FILTERED (it filtered them itself) */
  lastDumpFiltered = false;
  private readonly rbuf = Buffer.alloc(256 * 1024);
  // Separate writers: a batch's encoder may issue single requests (device-name lookups) mid-chunk.
  private readonly writer = new MessageWriter(64 * 1024);
  private readonly batchWriter = new MessageWriter(256 * 1024);

  constructor(opts: NetlinkSocketOptions = {}) {
    this.netns = opts.netns;
    const create = (): number => sysSocket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    const fd = opts.netns ? withNetns(opts.netns, create) : create();
    if (fd < 0) throw new NetlinkError({ code: lastErrno(), request: 'socket(AF_NETLINK)', syscall: 'socket' });
    this.fd = fd;
    try {
      const rcv = opts.rcvbuf ?? DEFAULT_BUF;
      const snd = opts.sndbuf ?? DEFAULT_BUF;
      if (sysSetsockoptInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, rcv) !== 0) sysSetsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, rcv);
      if (sysSetsockoptInt(fd, SOL_SOCKET, SO_SNDBUFFORCE, snd) !== 0) sysSetsockoptInt(fd, SOL_SOCKET, SO_SNDBUF, snd);
      // Small acks (no echo of our request), kernel error strings, and kernel-side dump filtering.
      sysSetsockoptInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
      sysSetsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
      sysSetsockoptInt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
      sysSetsockoptTimeval(fd, SOL_SOCKET, SO_RCVTIMEO, opts.recvTimeoutMs ?? 10_000);
      const got = sysGetsockoptInt(fd, SOL_SOCKET, SO_RCVBUF);
      this.maxChunk = Math.max(16, Math.floor((got > 0 ? got : 212_992) / 1536));
      const sndGot = sysGetsockoptInt(fd, SOL_SOCKET, SO_SNDBUF);
      this.maxSendBytes = Math.max(4096, Math.floor((sndGot > 0 ? sndGot : 212_992) / 4));
      const sa = Buffer.alloc(12);
      sa.writeUInt16LE(AF_NETLINK, 0);
      sa.writeUInt32LE(opts.groups ?? 0, 8);
      if (sysBind(fd, sa) !== 0) throw new NetlinkError({ code: lastErrno(), request: 'bind(AF_NETLINK)', syscall: 'bind' });
    } catch (e) {
      sysClose(fd);
      throw e;
    }
    unclosed.register(this, fd, this);
    this.seq = (Date.now() & 0xffff) << 8;
    // NLM_F_ACK on every request, so success is confirmed, not inferred from silence.
    this.writer.forcedFlags = NLM_F_ACK;
    this.batchWriter.forcedFlags = NLM_F_ACK;
  }

  /** Reserves `count` contiguous sequence numbers (a batch's acks are matched by offset from the first). */
  private nextSeq(count = 1): number {
    if (this.seq + count > 0xffffffff) this.seq = 1;
    const s = this.seq;
    this.seq += count;
    return s;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('NetlinkSocket: closed');
  }

  private send(buf: Buffer, what: () => string): void {
    for (;;) {
      const n = sysSend(this.fd, buf, 0);
      if (n >= 0) return;
      const err = lastErrno();
      if (err === EINTR) continue;
      throw new NetlinkError({ code: err, request: what(), syscall: 'send' });
    }
  }

  /** One datagram into rbuf; returns its length, or -errno (EAGAIN when nothing is queued with dontwait). */
  recvInto(dontwait: boolean): number {
    for (;;) {
      const n = sysRecv(this.fd, this.rbuf, dontwait ? MSG_DONTWAIT : 0);
      if (n >= 0) return n;
      const err = lastErrno();
      if (err !== EINTR) return -err;
    }
  }

  get receiveBuffer(): Buffer {
    return this.rbuf;
  }

  /**
   * Sends one request with NLM_F_ACK and reads until its ack (or NLMSG_DONE for dumps). Each reply
   * message for this seq is passed to onReply while its payload is still valid. Throws NetlinkError.
   */
  request(type: number, flags: number, body: BodyEncoder, describe: () => string, onReply?: (m: NlMessage) => void): void {
    this.ensureOpen();
    const seq = this.nextSeq();
    const w = this.writer;
    w.reset();
    w.begin(type, flags, seq);
    body(w);
    w.end();
    this.send(w.view(), describe);
    const isDump = (flags & NLM_F_DUMP) === NLM_F_DUMP;
    if (isDump) this.lastDumpFiltered = false;
    for (;;) {
      const n = this.recvInto(false);
      if (n < 0) {
        throw new NetlinkError({ code: -n === EAGAIN ? ETIMEDOUT : -n, request: describe(), syscall: 'recv' });
      }
      for (const m of parseMessages(this.rbuf, n)) {
        if (m.seq !== seq) continue; // late answer to an earlier, abandoned request
        if (m.type === NLMSG_ERROR) {
          const e = parseError(m);
          if (e.code !== 0) throw new NetlinkError({ code: e.code, request: describe(), extack: e.extack });
          if (!isDump) return;
          continue;
        }
        if (m.type === NLMSG_DONE) {
          const code = m.payload.length >= 4 ? -m.payload.readInt32LE(0) : 0;
          if (code > 0) throw new NetlinkError({ code, request: describe() });
          return;
        }
        if (m.type === NLMSG_NOOP || m.type === NLMSG_OVERRUN) continue;
        if (m.flags & NLM_F_DUMP_FILTERED) this.lastDumpFiltered = true;
        onReply?.(m);
      }
    }
  }

  /** Dump request: decodes each reply with `decode` (undefined results are skipped). */
  dump<T>(type: number, body: BodyEncoder, describe: () => string, decode: (m: NlMessage) => T | undefined): T[] {
    const out: T[] = [];
    this.request(type, NLM_F_DUMP, body, describe, (m) => {
      const v = decode(m);
      if (v !== undefined) out.push(v);
    });
    return out;
  }

  /** Convenience form of batch() for a list of prepared items. */
  batchItems(items: readonly BatchItem[], chunkSize = DEFAULT_BATCH_CHUNK): (NetlinkError | null)[] {
    return this.batch({
      count: items.length,
      encode: (w, i, seq) => {
        const it = items[i];
        w.begin(it.type, it.flags, seq);
        it.body(w);
        w.end();
        return null;
      },
      describe: (i) => items[i].describe(),
    }, chunkSize);
  }

  /**
   * Sends requests in chunks, many messages per send, and matches acks to requests by sequence number.
   * Returns one entry per request: null on success, the NetlinkError (with .index) on failure.
   */
  batch(src: BatchSource, requestedChunk = DEFAULT_BATCH_CHUNK): (NetlinkError | null)[] {
    this.ensureOpen();
    const chunkSize = Math.max(1, Math.min(requestedChunk, this.maxChunk));
    const results: (NetlinkError | null)[] = new Array<NetlinkError | null>(src.count).fill(null);
    const w = this.batchWriter;
    const seen = new Uint8Array(Math.min(chunkSize, src.count));
    for (let start = 0, end = 0; start < src.count; start = end) {
      const limit = Math.min(src.count, start + chunkSize);
      const base = this.nextSeq(limit - start);
      seen.fill(0);
      let pending = 0;
      w.reset();
      // A chunk also ends early when its bytes near the send buffer (large ECMP messages, or a
      // buffer capped by wmem_max without CAP_NET_ADMIN): send would fail with EMSGSIZE.
      for (end = start; end < limit && w.length < this.maxSendBytes; end++) {
        const rejected = src.encode(w, end, base + (end - start));
        if (rejected) {
          results[end] = rejected;
          seen[end - start] = 1;
        } else {
          pending++;
        }
      }
      const count = end - start;
      if (pending === 0) continue;
      try {
        this.send(w.view(), () => `batch of ${pending} starting at #${start}`);
      } catch (e) {
        // Nothing of this chunk reached the kernel: every request in it failed with the send error.
        if (!(e instanceof NetlinkError)) throw e;
        for (let k = 0; k < count; k++) {
          if (!seen[k]) {
            results[start + k] = new NetlinkError({ code: e.code, request: `${src.describe(start + k)} (not sent)`, index: start + k, syscall: 'send' });
          }
        }
        continue;
      }
      // After an overrun the kernel has dropped some acks; keep reading what is queued (non-blocking)
      // so every ack that did arrive is still matched, and only the lost ones stay unknown.
      let lostCode = 0;
      while (pending > 0) {
        const n = this.recvInto(lostCode !== 0);
        if (n < 0) {
          if (-n === ENOBUFS && lostCode === 0) {
            lostCode = ENOBUFS;
            continue;
          }
          const code = lostCode || (-n === EAGAIN ? ETIMEDOUT : -n);
          const why = code === ENOBUFS ? 'ack lost to a receive-buffer overrun; outcome unknown' : 'ack not received';
          for (let k = 0; k < count; k++) {
            if (!seen[k]) {
              results[start + k] = new NetlinkError({
                code, request: `${src.describe(start + k)} (${why})`, index: start + k, syscall: 'recv',
              });
            }
          }
          break;
        }
        // Acks arrive one per datagram; read the header in place rather than via parseMessages.
        const buf = this.rbuf;
        let off = 0;
        while (off + 16 <= n) {
          const mlen = buf.readUInt32LE(off);
          if (mlen < 16 || off + mlen > n) break;
          const type = buf.readUInt16LE(off + 4);
          const k = (buf.readUInt32LE(off + 8) - base) >>> 0;
          if (type === NLMSG_ERROR && k < count && !seen[k]) {
            seen[k] = 1;
            pending--;
            const code = mlen >= 20 ? -buf.readInt32LE(off + 16) : 0;
            if (code !== 0) {
              const e = parseError(parseMessages(buf.subarray(off, off + mlen))[0]);
              results[start + k] = new NetlinkError({
                code, request: src.describe(start + k), extack: e.extack, index: start + k,
              });
            }
          }
          off += (mlen + 3) & ~3;
        }
      }
    }
    return results;
  }

  /** Discards everything queued (after an overrun), without blocking. */
  drain(): void {
    while (this.recvInto(true) > 0) { /* discard */ }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    unclosed.unregister(this);
    sysClose(this.fd);
  }
}
