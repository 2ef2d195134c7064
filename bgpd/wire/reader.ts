// Stream framing in the style of pg-protocol's parser: messages are decoded from views of the
// received chunks; only a message split across chunks is copied (into a buffer of exactly its size).
import type { CodecContext, DecodeResult } from './types';
import { HEADER_LEN } from './codes';
import { checkHeader } from './header';
import { decodeMessage } from './message';

export class MessageReader {
  private chunks: Buffer[] = [];
  /**
   * Index of the first unconsumed chunk. Consumed chunks are dropped in batches by compact(), not
   * one by one with shift(): shift() is O(n) per call, quadratic with thousands of tiny chunks.
   */
  private head = 0;
  /** Read position in chunks[head]. */
  private off = 0;
  /** Bytes not yet consumed across all chunks. */
  private avail = 0;
  /** After a framing error the byte stream cannot be re-synchronised; the session is closing. */
  private failed = false;

  constructor(private readonly getCtx: () => CodecContext) {}

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.avail += chunk.length;
  }

  /** Bytes received but not yet returned as messages. */
  get buffered(): number {
    return this.avail;
  }

  /** The next complete message, or null until more bytes arrive. */
  next(): DecodeResult | null {
    if (this.failed || this.avail < HEADER_LEN) return null;
    const head = this.peek(HEADER_LEN);
    const ctx = this.getCtx();
    const h = checkHeader(head, 0, ctx);
    if (!h.ok) {
      // Report at once: waiting for `length` bytes of a broken header could wait forever.
      this.failed = true;
      this.chunks = [];
      this.head = 0;
      this.avail = 0;
      return decodeMessage(Buffer.from(head), ctx);
    }
    if (this.avail < h.length) return null;
    return decodeMessage(this.take(h.length), ctx);
  }

  /** n bytes from the read position without consuming them (a view when they sit in one chunk). */
  private peek(n: number): Buffer {
    const first = this.chunks[this.head];
    if (first.length - this.off >= n) return first.subarray(this.off, this.off + n);
    return this.gather(n, false);
  }

  private take(n: number): Buffer {
    const first = this.chunks[this.head];
    if (first.length - this.off >= n) {
      const view = first.subarray(this.off, this.off + n);
      this.off += n;
      this.avail -= n;
      if (this.off === first.length) this.advance(1, 0);
      return view;
    }
    return this.gather(n, true);
  }

  private gather(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let ci = this.head;
    let off = this.off;
    while (filled < n) {
      const c = this.chunks[ci];
      const k = Math.min(c.length - off, n - filled);
      c.copy(out, filled, off, off + k);
      filled += k;
      off += k;
      if (off === c.length) {
        ci++;
        off = 0;
      }
    }
    if (consume) {
      this.avail -= n;
      this.advance(ci - this.head, off);
    }
    return out;
  }

  /** Moves the read position `chunks` chunks on, to `off` in that chunk. */
  private advance(chunks: number, off: number): void {
    this.head += chunks;
    this.off = off;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      // Amortised O(1): at least as many chunks dropped as are kept.
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
