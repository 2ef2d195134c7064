// An IPAM block in memory. A block holds up to 4096 addresses, so per-address state lives in typed
// arrays indexed by ordinal rather than one object per address:
//   alloc[ord]  attribute index + 1, or 0 when free
//   seq[ord]    block sequence number at allocation time (meaningful only while allocated)
//   fifo        free ordinals in reuse order (ring buffer): allocate from the head, free to the tail,
//               so a just-released address is handed out again as late as possible.
import { Cidr } from './cidr';
import { BlockCountError, CorruptRecordError } from './errors';
import type { AllocationAttribute, AllocationOwner, BlockRecord } from './model';

export interface AllocatedOrdinal {
  readonly ordinal: number;
  readonly sequence: number;
}

export class Block {
  readonly cidr: Cidr;
  readonly size: number;
  affinity: string | null;
  affinityClaimTime: number | null;
  sequenceNumber: number;
  private readonly alloc: Uint16Array;
  private readonly seq: Float64Array;
  private readonly fifo: Uint16Array;
  private head = 0;
  private freeCount: number;
  private attributes: AllocationAttribute[] = [];

  private constructor(cidr: Cidr, affinity: string | null, claimTime: number | null, seqNo: number) {
    this.cidr = cidr;
    this.size = cidr.size;
    this.affinity = affinity;
    this.affinityClaimTime = claimTime;
    this.sequenceNumber = seqNo;
    this.alloc = new Uint16Array(this.size);
    this.seq = new Float64Array(this.size);
    this.fifo = new Uint16Array(this.size);
    this.freeCount = 0;
  }

  /** A fresh, empty block; the sequence number starts from the clock (µs) so it never repeats. */
  static create(cidr: Cidr, affinity: string | null, now = Date.now()): Block {
    const b = new Block(cidr, affinity, affinity ? now : null, now * 1000);
    for (let i = 0; i < b.size; i++) b.fifo[i] = i;
    b.freeCount = b.size;
    return b;
  }

  get free(): number {
    return this.freeCount;
  }

  get used(): number {
    return this.size - this.freeCount;
  }

  get empty(): boolean {
    return this.freeCount === this.size;
  }

  /** Takes up to `n` free ordinals from the FIFO head for one handle/owner. */
  assign(n: number, handleId: string, owner: AllocationOwner): AllocatedOrdinal[] {
    const take = Math.min(n, this.freeCount);
    if (take === 0) return [];
    this.sequenceNumber++;
    const attr = this.attrIndex(handleId, owner);
    const out: AllocatedOrdinal[] = [];
    for (let i = 0; i < take; i++) {
      const ord = this.fifo[this.head];
      this.head = (this.head + 1) % this.size;
      this.freeCount--;
      this.alloc[ord] = attr + 1;
      this.seq[ord] = this.sequenceNumber;
      out.push({ ordinal: ord, sequence: this.sequenceNumber });
    }
    return out;
  }

  /** Takes one specific ordinal; false when it is already allocated. */
  assignOrdinal(ord: number, handleId: string, owner: AllocationOwner): AllocatedOrdinal | undefined {
    if (this.alloc[ord] !== 0) return undefined;
    // Remove from the FIFO, keeping the order of the others.
    const order = this.freeOrdinals().filter((o) => o !== ord);
    this.sequenceNumber++;
    this.alloc[ord] = this.attrIndex(handleId, owner) + 1;
    this.seq[ord] = this.sequenceNumber;
    this.refill(order);
    return { ordinal: ord, sequence: this.sequenceNumber };
  }

  /**
   * Frees `ord`. With `sequence`, only when it still matches the allocation's (else 'stale': the
   * address was released and handed out again since the caller looked). With `handleId`, only when
   * the address belongs to that handle.
   */
  release(ord: number, check: { sequence?: number; handleId?: string } = {}): 'released' | 'free' | 'stale' | 'other-handle' {
    const a = this.alloc[ord];
    if (a === 0) return 'free';
    if (check.sequence !== undefined && this.seq[ord] !== check.sequence) return 'stale';
    if (check.handleId !== undefined && this.attributes[a - 1].handleId !== check.handleId) return 'other-handle';
    this.sequenceNumber++;
    this.alloc[ord] = 0;
    this.seq[ord] = 0;
    this.fifo[(this.head + this.freeCount) % this.size] = ord;
    this.freeCount++;
    return 'released';
  }

  /** Ordinals held by a handle. */
  ordinalsOf(handleId: string): number[] {
    const out: number[] = [];
    for (let o = 0; o < this.size; o++) {
      const a = this.alloc[o];
      if (a !== 0 && this.attributes[a - 1].handleId === handleId) out.push(o);
    }
    return out;
  }

  /** Attribute of an allocated ordinal. */
  attributeOf(ord: number): AllocationAttribute | undefined {
    const a = this.alloc[ord];
    return a === 0 ? undefined : this.attributes[a - 1];
  }

  sequenceOf(ord: number): number | undefined {
    return this.alloc[ord] === 0 ? undefined : this.seq[ord];
  }

  /** Every allocated ordinal with its attribute. */
  *allocations(): Generator<{ ordinal: number; attr: AllocationAttribute; sequence: number }> {
    for (let o = 0; o < this.size; o++) {
      const a = this.alloc[o];
      if (a !== 0) yield { ordinal: o, attr: this.attributes[a - 1], sequence: this.seq[o] };
    }
  }

  freeOrdinals(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.freeCount; i++) out.push(this.fifo[(this.head + i) % this.size]);
    return out;
  }

  toRecord(): BlockRecord {
    // Drop attributes nothing points at any more and renumber the rest.
    const remap = new Map<number, number>();
    const attributes: AllocationAttribute[] = [];
    const allocations: (number | null)[] = new Array(this.size);
    const seqFor: Record<string, number> = {};
    for (let o = 0; o < this.size; o++) {
      const a = this.alloc[o];
      if (a === 0) {
        allocations[o] = null;
        continue;
      }
      let idx = remap.get(a);
      if (idx === undefined) {
        idx = attributes.length;
        attributes.push(this.attributes[a - 1]);
        remap.set(a, idx);
      }
      allocations[o] = idx;
      seqFor[String(o)] = this.seq[o];
    }
    return {
      cidr: this.cidr.toString(),
      affinity: this.affinity,
      affinityClaimTime: this.affinityClaimTime,
      allocations,
      unallocated: this.freeOrdinals(),
      attributes,
      sequenceNumber: this.sequenceNumber,
      sequenceNumberForAllocation: seqFor,
    };
  }

  /** Rebuilds a block from its stored form, validating it; `key` names the record in errors. */
  static fromRecord(rec: BlockRecord, key: string): Block {
    const bad = (why: string): never => {
      throw new CorruptRecordError(key, why);
    };
    // The record parses but its allocation and free-list bookkeeping disagree.
    const counts = (why: string): never => {
      throw new BlockCountError(key, why);
    };
    if (!rec || typeof rec !== 'object') bad('not an object');
    const cidr = typeof rec.cidr === 'string' ? Cidr.parse(rec.cidr) : undefined;
    if (!cidr) return bad(`bad cidr ${JSON.stringify(rec.cidr)}`);
    if (cidr.size > 4096) bad(`block ${rec.cidr} is larger than 4096 addresses`);
    if (!Array.isArray(rec.allocations) || rec.allocations.length !== cidr.size)
      bad(`allocations must have ${cidr.size} entries`);
    if (!Array.isArray(rec.unallocated) || !Array.isArray(rec.attributes)) bad('unallocated/attributes missing');
    if (typeof rec.sequenceNumber !== 'number') bad('sequenceNumber missing');
    const b = new Block(cidr, rec.affinity ?? null, rec.affinityClaimTime ?? null, rec.sequenceNumber);
    for (const at of rec.attributes) {
      if (!at || typeof at.handleId !== 'string') bad('attribute without handleId');
    }
    b.attributes = rec.attributes.map((a) => ({ handleId: a.handleId, owner: a.owner ?? {} }));
    const seqFor = rec.sequenceNumberForAllocation ?? {};
    for (let o = 0; o < cidr.size; o++) {
      const a = rec.allocations[o];
      if (a === null) continue;
      if (!Number.isInteger(a) || a < 0 || a >= b.attributes.length) bad(`allocation ${o} points at missing attribute ${a}`);
      b.alloc[o] = a + 1;
      b.seq[o] = seqFor[String(o)] ?? 0;
    }
    const seen = new Set<number>();
    for (const o of rec.unallocated) {
      if (!Number.isInteger(o) || o < 0 || o >= cidr.size) bad(`unallocated ordinal ${o} out of range`);
      if (b.alloc[o] !== 0) counts(`ordinal ${o} is both allocated and free`);
      if (seen.has(o)) counts(`ordinal ${o} is listed free twice`);
      seen.add(o);
    }
    const free = rec.allocations.filter((a) => a === null).length;
    if (seen.size !== free) counts(`${free} free allocations but ${seen.size} unallocated ordinals`);
    b.refill(rec.unallocated);
    return b;
  }

  private refill(order: readonly number[]): void {
    this.head = 0;
    this.freeCount = order.length;
    for (let i = 0; i < order.length; i++) this.fifo[i] = order[i];
  }

  private attrIndex(handleId: string, owner: AllocationOwner): number {
    const key = JSON.stringify(owner);
    const i = this.attributes.findIndex((a) => a.handleId === handleId && JSON.stringify(a.owner) === key);
    if (i >= 0) return i;
    this.attributes.push({ handleId, owner });
    return this.attributes.length - 1;
  }
}
