// An update group (FRR's idea): peers of one family whose export result and wire encoding are
// identical share one Adj-RIB-Out and one stream of encoded UPDATEs, so an RR with many clients
// runs export policy and encodes each change once. eBGP groups are per peer AS and skip routes
// whose AS_PATH holds it (sender-side loop detection); otherwise, like FRR, a route may be sent
// back to the member it came from and that peer drops it by its own loop checks (ORIGINATOR_ID).
import { Afi } from '../wire/types';
import type { CodecContext, PathAttributes, PrefixKey } from '../wire/types';
import { countAs } from './as-path';
import { attrKey, normalizeAttrs } from './attr-key';
import { InternTable } from './intern-table';
import type { Interned } from './intern-table';
import type { CompiledPolicy } from './policy';
import type { RibAttr } from './rib-attr';
import { builtinExport, exportAllowed, exportTransform } from './roles';
import type { PathSource, RouterIdentity, SessionRole } from './roles';
import type { PeerId, UpdateEncoder } from './types';

export interface OutAttr extends Interned {
  attrs: PathAttributes;
  /** Encoded attribute bytes (without MP_*), made on first use. */
  bytes?: Buffer;
}

export interface GroupSettings {
  afi: Afi;
  role: SessionRole;
  ctx: CodecContext;
  selfAddress: string | undefined;
  policy: CompiledPolicy | undefined;
  /**
   * eBGP only: the members' AS. Routes whose AS_PATH already holds it are not sent (sender-side
   * loop detection: the peer would drop them, RFC 4271 §9.1.2). Saves echoing a full table back to
   * the eBGP peer it came from (BIRD and OpenBGPD never send a route back to its source either).
   */
  peerAs?: number;
}

const NOT_EXPORTED = -1;

export class UpdateGroup {
  readonly members = new Set<PeerId>();
  readonly adjOut = new Map<PrefixKey, number>();
  readonly out = new InternTable<OutAttr>();
  /** In-attr id -> out-attr id (or NOT_EXPORTED), when the result does not depend on the prefix. */
  private readonly cache = new Map<number, number>();
  /** True while the initial sync from the Loc-RIB runs (members joining then also need a dump). */
  syncing = false;
  dead = false;
  readonly maxSize: number;
  /** Out-attr ids whose attribute block does not fit in a message of maxSize: never announced. */
  private readonly unencodable = new Set<number>();

  constructor(
    readonly key: string,
    readonly s: GroupSettings,
    private readonly me: RouterIdentity,
    private readonly encoder: UpdateEncoder,
    private readonly sourceOf: (peer: PeerId) => PathSource,
    /** Told once per attribute set that cannot be encoded for this group. */
    private readonly report: (err: unknown) => void = () => {},
  ) {
    this.maxSize = s.ctx.extendedMessage ? 65535 : 4096;
    this.out.onFree((id) => this.unencodable.delete(id));
  }

  /** The out-attr id for exporting `ra` as `prefix`, with one reference for the caller; -1 if not exported. */
  exportOf(prefix: PrefixKey, inId: number, ra: RibAttr): number {
    const cacheable = !this.s.policy?.prefixDependent;
    if (cacheable) {
      const hit = this.cache.get(inId);
      if (hit !== undefined) {
        if (hit !== NOT_EXPORTED) this.out.ref(hit);
        return hit;
      }
    }
    const id = this.compute(prefix, ra);
    if (cacheable) {
      this.cache.set(inId, id);
      if (id !== NOT_EXPORTED) this.out.ref(id);
    }
    return id;
  }

  private compute(prefix: PrefixKey, ra: RibAttr): number {
    const src = this.sourceOf(ra.peer);
    const role = this.s.role;
    if (!exportAllowed(src, role, this.me, ra)) return NOT_EXPORTED;
    if (this.s.peerAs !== undefined && countAs(ra.attrs.asPath, this.s.peerAs) > 0) return NOT_EXPORTED;
    let attrs = ra.attrs;
    let setNh = false;
    let setMed = false;
    let verdict: 'accept' | 'reject' | 'builtin' = 'builtin';
    if (this.s.policy) {
      const r = this.s.policy.evaluate({ prefix, attrs, source: src.kind, localAs: role.localAs });
      verdict = r.verdict;
      attrs = r.attrs;
      setNh = r.setNextHop;
      setMed = r.setMed;
    }
    if (verdict === 'reject' || (verdict === 'builtin' && !builtinExport(src, role))) return NOT_EXPORTED;
    const t = normalizeAttrs(exportTransform(src, role, this.me, attrs, this.s.selfAddress, { nextHop: setNh, med: setMed }));
    return this.out.intern(attrKey(0, t), () => ({ key: attrKey(0, t), attrs: t }));
  }

  /** Forgets cached results for an in-attr id that was freed (ids are reused). */
  forgetInAttr(inId: number): void {
    const hit = this.cache.get(inId);
    if (hit === undefined) return;
    this.cache.delete(inId);
    if (hit !== NOT_EXPORTED) this.out.unref(hit);
  }

  /**
   * Brings the Adj-RIB-Out in line with the Loc-RIB for `prefixes` and returns the UPDATEs that
   * express the difference. `bestOf` gives the best in-attr id of `prefixes[i]`, or -1.
   */
  diff(prefixes: readonly PrefixKey[], bestOf: (p: PrefixKey, i: number) => number, attrOf: (id: number) => RibAttr): Buffer[] {
    const announce = new Map<number, PrefixKey[]>();
    const withdraw: PrefixKey[] = [];
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i];
      const inId = bestOf(p, i);
      let next = inId < 0 ? NOT_EXPORTED : this.exportOf(p, inId, attrOf(inId));
      const cur = this.adjOut.get(p);
      if (next !== NOT_EXPORTED && this.unencodable.has(next)) {
        this.out.unref(next);
        next = NOT_EXPORTED;
      }
      if (next === NOT_EXPORTED) {
        if (cur === undefined) continue;
        this.adjOut.delete(p);
        this.out.unref(cur);
        withdraw.push(p);
        continue;
      }
      if (cur === next) {
        this.out.unref(next);
        continue;
      }
      this.adjOut.set(p, next);
      if (cur !== undefined) this.out.unref(cur);
      const list = announce.get(next);
      if (list) list.push(p);
      else announce.set(next, [p]);
    }
    return this.encode(announce, withdraw);
  }

  /** UPDATEs carrying the current Adj-RIB-Out for `prefixes` (a dump for a joining or refreshing member). */
  dump(prefixes: PrefixKey[]): Buffer[] {
    const announce = new Map<number, PrefixKey[]>();
    for (const p of prefixes) {
      const id = this.adjOut.get(p);
      if (id === undefined) continue;
      const list = announce.get(id);
      if (list) list.push(p);
      else announce.set(id, [p]);
    }
    return this.encode(announce, []);
  }

  private encode(announce: Map<number, PrefixKey[]>, withdraw: PrefixKey[]): Buffer[] {
    const { afi, ctx } = this.s;
    const out: Buffer[] = [];
    for (const [id, nlri] of announce) {
      try {
        out.push(...this.announce(id, nlri));
      } catch (err) {
        // e.g. a path learned over an extended-message session is too big for this one (RFC 8654
        // §4 leaves the choice open), or no next-hop-self address for the family: like an export
        // reject, withdraw rather than stall the queue
        this.unencodable.add(id);
        this.report(new Error(`update group ${this.key}: not announcing ${nlri.length} prefixes: ${(err as Error).message}`));
        for (const p of nlri) {
          if (this.adjOut.get(p) !== id) continue;
          this.adjOut.delete(p);
          this.out.unref(id);
          withdraw.push(p);
        }
      }
    }
    if (withdraw.length > 0) out.unshift(...this.encoder.packWithdrawals({ afi, prefixes: withdraw, maxSize: this.maxSize, ctx }));
    return out;
  }

  private announce(id: number, nlri: PrefixKey[]): Buffer[] {
    const { afi, ctx } = this.s;
    const e = this.out.get(id);
    if (!e.bytes) {
      // the codec's rule: IPv4 NLRI with an IPv4 next hop go in the classic fields and the
      // attribute block carries NEXT_HOP; anything else uses MP_REACH built from nextHops
      const classic = afi === Afi.IPv4 && e.attrs.nextHop !== undefined && !e.attrs.nextHop.includes(':');
      const { nextHop: _nh, ...rest } = e.attrs;
      e.bytes = this.encoder.encodeAttributes(classic ? e.attrs : rest, ctx);
    }
    const nextHops = e.attrs.nextHop !== undefined ? [e.attrs.nextHop] : [];
    return this.encoder.packUpdates({ afi, attrBytes: e.bytes, nextHops, nlri, maxSize: this.maxSize, ctx });
  }


  /** Drops every reference the group holds (the group is going away). */
  destroy(): void {
    this.dead = true;
    for (const id of this.adjOut.values()) this.out.unref(id);
    this.adjOut.clear();
    for (const id of this.cache.values()) if (id !== NOT_EXPORTED) this.out.unref(id);
    this.cache.clear();
  }
}

export function groupKey(s: GroupSettings, policyId: string): string {
  const r = s.role;
  return JSON.stringify([
    s.afi, r.ebgp, r.rrClient, r.localAs, r.nextHop, r.allowTransit, r.sendMed, policyId,
    s.ctx.as4, s.ctx.extendedMessage, s.ctx.ibgp, s.ctx.extendedNextHop ?? [], s.selfAddress ?? '',
    s.afi === Afi.IPv6 ? 6 : 4, s.peerAs ?? 0,
  ]);
}
