// Just enough of a BGP session for the benchmark's generator and monitor: TCP connect (or accept),
// OPEN / KEEPALIVE exchange, periodic KEEPALIVEs, every later message handed to a callback.
// No FSM, no timers beyond keepalives, no collision handling: both ends are ours or a daemon under
// test configured to expect exactly this.
import * as net from 'node:net';
import { MsgType } from '../bgpd/wire/types';
import type { CodecContext, PrefixKey } from '../bgpd/wire/types';
import { readNlri } from '../bgpd/wire/nlri';
import { MessageReader, emptyCapabilities, encodeMessage } from '../bgpd/wire';

export interface BenchSessionOptions {
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly localAs: number;
  readonly routerId: string;
  /** Seconds; long, because targets under load answer late. */
  readonly holdTime?: number;
  /** Accept one connection on localAddress:179 instead of connecting out. */
  readonly listen?: boolean;
  /** Give up connecting after this long (targets may still be starting). */
  readonly connectTimeoutMs?: number;
}

export const SESSION_CTX: CodecContext = { as4: true, extendedMessage: false, ibgp: false };

/** Epoch milliseconds with sub-millisecond resolution, comparable between processes on one host. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function openBytes(o: BenchSessionOptions): Buffer {
  const caps = emptyCapabilities();
  caps.multiprotocol.push({ afi: 1, safi: 1 });
  caps.routeRefresh = true;
  caps.fourOctetAs = o.localAs;
  return encodeMessage(
    { type: MsgType.OPEN, version: 4, myAs: o.localAs > 0xffff ? 23456 : o.localAs, holdTime: o.holdTime ?? 240, routerId: o.routerId, capabilities: caps },
    SESSION_CTX,
  );
}

const HEADER = 19;
const KEEPALIVE = encodeMessage({ type: MsgType.KEEPALIVE }, SESSION_CTX);

async function connectWithRetry(o: BenchSessionOptions): Promise<net.Socket> {
  const deadline = Date.now() + (o.connectTimeoutMs ?? 30_000);
  let lastErr: Error | undefined;
  while (Date.now() < deadline) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ host: o.remoteAddress, port: 179, localAddress: o.localAddress });
        s.once('connect', () => {
          s.removeListener('error', reject);
          resolve(s);
        });
        s.once('error', reject);
      });
    } catch (err) {
      lastErr = err as Error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`cannot connect ${o.localAddress} -> ${o.remoteAddress}:179: ${lastErr?.message ?? 'timeout'}`);
}

async function acceptOne(o: BenchSessionOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => {
      server.close();
      resolve(s);
    });
    server.once('error', reject);
    server.listen(179, o.localAddress);
    setTimeout(() => {
      server.close();
      reject(new Error(`nobody connected to ${o.localAddress}:179 in time`));
    }, o.connectTimeoutMs ?? 30_000).unref();
  });
}

export class BenchSession {
  private keepaliveTimer: NodeJS.Timeout | undefined;
  /** Called for every UPDATE after the session is Established, with its IPv4 withdrawn and NLRI prefixes. */
  onUpdate: (withdrawn: PrefixKey[], nlri: PrefixKey[]) => void = () => {};
  /** Post-Established framing: bytes of a message not complete yet. */
  private pending: Buffer = Buffer.alloc(0);
  private light = false;
  /** Called once when the peer closes or sends a NOTIFICATION. */
  onClose: (why: string) => void = () => {};

  private constructor(
    readonly socket: net.Socket,
    private readonly reader: MessageReader,
  ) {}

  /** Connects (or accepts), exchanges OPEN and KEEPALIVE; resolves once Established. */
  static async open(o: BenchSessionOptions): Promise<BenchSession> {
    const socket = o.listen ? await acceptOne(o) : await connectWithRetry(o);
    socket.setNoDelay(true);
    // iBGP or eBGP is known once the peer's OPEN arrives (the codec treats LOCAL_PREF etc. differently)
    const ctx: CodecContext = { ...SESSION_CTX };
    const reader = new MessageReader(() => ctx);
    const session = new BenchSession(socket, reader);
    await new Promise<void>((resolve, reject) => {
      let gotOpen = false;
      let peerHold = 0;
      let established = false;
      const fail = (why: string): void => {
        if (!established) reject(new Error(why));
        else session.onClose(why);
      };
      socket.on('data', (chunk: Buffer) => {
        if (session.light) {
          session.frame(chunk);
          return;
        }
        reader.push(chunk);
        for (let r = reader.next(); r; r = reader.next()) {
          if (!r.ok) {
            fail(`undecodable message from ${o.remoteAddress}: ${r.problems.map((p) => p.reason).join('; ')}`);
            socket.destroy();
            return;
          }
          const m = r.msg;
          if (m.type === MsgType.NOTIFICATION) {
            fail(`NOTIFICATION ${m.code}/${m.subcode} from ${o.remoteAddress}`);
            socket.destroy();
            return;
          }
          if (established) {
            if (m.type === MsgType.UPDATE) session.onUpdate(m.withdrawn, m.nlri);
          } else if (m.type === MsgType.OPEN) {
            gotOpen = true;
            peerHold = m.holdTime;
            ctx.ibgp = (m.capabilities.fourOctetAs ?? m.myAs) === o.localAs;
            socket.write(KEEPALIVE);
          } else if (m.type === MsgType.KEEPALIVE && gotOpen) {
            established = true;
            // RFC 4271: the smaller of the two proposals (0 = no keepalives at all)
            const hold = Math.min(o.holdTime ?? 240, peerHold || Infinity);
            session.keepaliveTimer = setInterval(() => socket.write(KEEPALIVE), Math.max(1000, (hold * 1000) / 3));
            resolve();
          }
        }
        // once nothing is half-read, switch to the light framing (see frame())
        if (established && reader.buffered === 0) session.light = true;
      });
      socket.on('error', (err) => fail(`socket error: ${err.message}`));
      socket.on('close', () => {
        if (session.keepaliveTimer) clearInterval(session.keepaliveTimer);
        fail(`connection to ${o.remoteAddress} closed`);
      });
      socket.write(openBytes(o));
    });
    return session;
  }

  /**
   * After Established the monitor only needs prefixes, and decoding every attribute of a realistic
   * table (hundreds of thousands of UPDATEs) made our monitor slower than BIRD. So: frame by the
   * header's length, and read only the withdrawn and NLRI fields of UPDATEs (attributes skipped).
   */
  private frame(chunk: Buffer): void {
    const b = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    while (b.length - off >= HEADER) {
      const len = b.readUInt16BE(off + 16);
      if (len < HEADER || b.length - off < len) break;
      const type = b[off + 18];
      if (type === MsgType.UPDATE) {
        const s = off + HEADER;
        const wEnd = s + 2 + b.readUInt16BE(s);
        const nStart = wEnd + 2 + b.readUInt16BE(wEnd);
        const withdrawn: PrefixKey[] = [];
        const nlri: PrefixKey[] = [];
        if (readNlri(b, s + 2, wEnd, 32, withdrawn) !== -1 || readNlri(b, nStart, off + len, 32, nlri) !== -1) {
          this.onClose('malformed UPDATE (prefix fields)');
          this.socket.destroy();
          return;
        }
        this.onUpdate(withdrawn, nlri);
      } else if (type === MsgType.NOTIFICATION) {
        this.onClose(`NOTIFICATION ${b[off + HEADER]}/${b[off + HEADER + 1]}`);
        this.socket.destroy();
        return;
      }
      off += len;
    }
    this.pending = off === b.length ? Buffer.alloc(0) : Buffer.from(b.subarray(off));
  }

  /**
   * Writes chunks as fast as the socket takes them, waiting for 'drain' when the kernel buffer is
   * full; resolves when the last byte was handed to the kernel.
   */
  async blast(chunks: readonly Buffer[]): Promise<void> {
    for (const c of chunks) {
      if (this.socket.destroyed) throw new Error('socket closed while sending');
      if (!this.socket.write(c)) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = (): void => {
            this.socket.off('close', onClose);
            resolve();
          };
          const onClose = (): void => {
            this.socket.off('drain', onDrain);
            reject(new Error('socket closed while sending'));
          };
          this.socket.once('drain', onDrain);
          this.socket.once('close', onClose);
        });
      }
    }
    // the write callback of an empty write fires once everything before it was flushed
    await new Promise<void>((resolve, reject) => this.socket.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.socket.destroy();
  }
}
