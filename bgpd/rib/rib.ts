// The RIB: Adj-RIB-In (accepted paths + FILTERED markers, in the Loc-RIB's per-prefix lists),
// Loc-RIB with the decision process, and Adj-RIB-Out per update group. Inputs are queued and
// worked off in bounded batches by processBatch(); the caller yields between batches so timers and
// sockets keep running. Outputs: encoded UPDATEs per peer (takeOutput) and a best-change feed.
import { Afi } from '../wire/types';
import type { PathAttributes, PrefixKey, UpdateMessage } from '../wire/types';
import { attrKey, normalizeAttrs } from './attr-key';
import type { Candidate } from './decision';
import { InternTable } from './intern-table';
import { LocRib, NO_ATTR, PriorPath } from './loc-rib';
import { PeerState } from './peer-state';
import type { CompiledPolicy, Policy, PolicyChain, RouteSource } from './policy';
import { compilePolicy, policyIdentity } from './policy';
import * as q from './queries';
import { ipv4ToNumber } from './prefix-key';
import type { RibAttr } from './rib-attr';
import { makeRibAttr } from './rib-attr';
import { importLoops, importTransform } from './roles';
import type { PathSource, RouterIdentity } from './roles';
import { NO_SLOT, RouteSlots } from './route-slots';
import type {
  BestChange,
  NextHopSet,
  PeerId,
  PeerRibStats,
  PeerUpInfo,
  RibOptions,
  RibPeerConfig,
  RouteView,
} from './types';
import { LOCAL_PEER } from './types';
import { UpdateGroup, groupKey } from './update-group';

/** A queued unit of work; returns true when finished. Must add what it did to Rib.work. */
type Job = (budget: number) => boolean;


const FAMILIES = [Afi.IPv4, Afi.IPv6] as const;

export class Rib {
  readonly me: RouterIdentity;
  readonly slots = new RouteSlots();
  readonly attrs = new InternTable<RibAttr>();
  readonly locRibs: ReadonlyMap<Afi, LocRib>;
  readonly peers: PeerState[] = [];
  readonly groups = new Map<string, UpdateGroup>();
  private readonly queue: (Job | undefined)[] = [];
  private qHead = 0;
  private work = 0;
  private outbox = new Map<PeerId, Buffer[]>();
  private readonly bestListeners: ((changes: BestChange[]) => void)[] = [];
  private readonly maxPrefixListeners: ((peer: PeerId) => void)[] = [];
  private readonly errorListeners: ((err: unknown) => void)[] = [];
  private readonly policyIds = new WeakMap<Policy, number>();
  private readonly routerIdNum: number;
  /** Members waiting for an initial sync/dump to finish before End-of-RIB: "peer:afi" -> jobs left. */
  private readonly eorWait = new Map<string, number>();

  constructor(readonly opts: RibOptions) {
    this.me = {
      routerId: opts.routerId,
      // set later from routerId when the first rrClient peer is added without one (RFC 4456 §7)
      clusterId: opts.clusterId,
      defaultLocalPref: opts.defaultLocalPref ?? 100,
    };
    this.routerIdNum = ipv4ToNumber(opts.routerId);
    const decision = { maxPaths: opts.maxPaths ?? 1, alwaysCompareMed: opts.alwaysCompareMed ?? false };
    const release = (id: number): void => this.attrs.unref(id);
    const cand = (slot: number): Candidate => this.candidate(slot);
    this.locRibs = new Map(FAMILIES.map((afi) => [afi, new LocRib(this.slots, cand, decision, release)]));
    // the local pseudo-peer owns originated routes
    const local = new PeerState(LOCAL_PEER, { address: '0.0.0.0', remoteAs: opts.localAs }, opts.localAs);
    local.setRouterId(opts.routerId);
    this.peers.push(local);
    this.attrs.onFree((id) => {
      for (const g of this.groups.values()) g.forgetInAttr(id);
    });
  }

  // ---- inputs ---------------------------------------------------------------------------------

  addPeer(config: RibPeerConfig): PeerId {
    if (config.rrClient && this.me.clusterId === undefined) {
      // a reflector without an explicit cluster id uses its router id (RFC 4456 §7). Existing
      // groups need no re-evaluation: with no client before, their sources were all non-clients,
      // and non-client routes still only go to clients (which join new groups).
      (this.me as { clusterId?: string }).clusterId = this.opts.routerId;
    }
    const id = this.peers.length;
    if (id > 0xffff) throw new Error('rib: too many peers');
    this.peers.push(new PeerState(id, config, this.opts.localAs));
    return id;
  }

  peerUp(peer: PeerId, info: PeerUpInfo): void {
    this.enqueue(() => {
      this.work++;
      this.startSession(this.peer(peer), info);
      return true;
    });
  }

  /** Deletes a peer and its routes; later inputs naming it are ignored. Its id is not reused. */
  removePeer(peer: PeerId): void {
    this.peerDown(peer);
    this.enqueue(() => {
      this.work++;
      this.peer(peer).removed = true;
      return true;
    });
  }

  /** Errors while working off an input (the input is dropped, work goes on) or encoding for a group. */
  onError(cb: (err: unknown) => void): void {
    this.errorListeners.push(cb);
  }

  peerDown(peer: PeerId, opts: { graceful?: boolean } = {}): void {
    this.enqueue(this.inPlace(() => {
      const p = this.peer(peer);
      this.endSession(p);
      return FAMILIES.map((afi) => {
        if (opts.graceful) p.staleFamilies.add(afi);
        else p.staleFamilies.delete(afi);
        return this.scanJob(afi, (loc, prefix) => {
          if (opts.graceful) loc.markStale(prefix, peer);
          else this.countRemoval(p, loc.remove(prefix, peer));
        });
      });
    }));
  }

  /**
   * An UPDATE from the peer. With treatAsWithdraw (RFC 7606 §2) every announced prefix is handled
   * as withdrawn. End-of-RIB markers should go to endOfRib() instead (wire endOfRibFamily()).
   */
  update(peer: PeerId, msg: UpdateMessage, opts: { treatAsWithdraw?: boolean } = {}): void {
    const work: { afi: Afi; withdraw: boolean; prefixes: PrefixKey[]; attrs?: PathAttributes }[] = [];
    if (opts.treatAsWithdraw) {
      const all = [...msg.withdrawn, ...msg.nlri];
      if (all.length > 0) work.push({ afi: Afi.IPv4, withdraw: true, prefixes: all });
      for (const mp of [msg.mpReach, msg.mpUnreach]) {
        const list = mp ? ('nlri' in mp ? mp.nlri : mp.withdrawn) : [];
        if (mp && list.length > 0) work.push({ afi: mp.afi, withdraw: true, prefixes: list });
      }
      this.enqueueImport(peer, work);
      return;
    }
    if (msg.withdrawn.length > 0) work.push({ afi: Afi.IPv4, withdraw: true, prefixes: msg.withdrawn });
    if (msg.mpUnreach && msg.mpUnreach.withdrawn.length > 0) {
      work.push({ afi: msg.mpUnreach.afi, withdraw: true, prefixes: msg.mpUnreach.withdrawn });
    }
    if (msg.nlri.length > 0) work.push({ afi: Afi.IPv4, withdraw: false, prefixes: msg.nlri, attrs: msg.attrs });
    if (msg.mpReach && msg.mpReach.nlri.length > 0) {
      const attrs = { ...msg.attrs, nextHop: msg.mpReach.nextHops[0] };
      work.push({ afi: msg.mpReach.afi, withdraw: false, prefixes: msg.mpReach.nlri, attrs });
    }
    this.enqueueImport(peer, work);
  }

  private enqueueImport(peer: PeerId, all: { afi: Afi; withdraw: boolean; prefixes: PrefixKey[]; attrs?: PathAttributes }[]): void {
    // families we keep no table for (the session should not have negotiated them) are ignored
    const work = all.filter((w) => this.locRibs.has(w.afi));
    let part = 0;
    let pos = 0;
    let prepared: Prepared | undefined;
    this.enqueue((budget) => {
      const p = this.peer(peer);
      if (p.removed) return true;
      let done = 0;
      while (part < work.length && done < budget) {
        const w = work[part];
        const loc = this.loc(w.afi);
        if (w.withdraw) {
          for (; pos < w.prefixes.length && done < budget; pos++, done++) this.countRemoval(p, loc.remove(w.prefixes[pos], peer));
        } else {
          prepared ??= this.prepareImport(p, w.afi, w.attrs as PathAttributes);
          for (; pos < w.prefixes.length && done < budget; pos++, done++) this.announce(p, loc, w.afi, w.prefixes[pos], prepared);
        }
        if (pos === w.prefixes.length) {
          if (prepared && prepared.id !== NO_ATTR) this.attrs.unref(prepared.id);
          prepared = undefined;
          part++;
          pos = 0;
        }
      }
      this.work += Math.max(1, done);
      return part === work.length;
    });
  }

  /** The peer asked for our routes again (RFC 2918). */
  routeRefresh(peer: PeerId, afi: Afi): void {
    this.enqueue(() => {
      this.work++;
      const p = this.peer(peer);
      const g = p.groups.get(afi);
      if (p.up && g) this.enqueue(this.dumpJob(p, g, false));
      return true;
    });
  }

  /**
   * New import/export policies for a peer. Export changes take effect at once (the peer moves to
   * the matching update group, gets the new table and withdrawals for what it no longer gets).
   * Import changes apply to routes received afterwards: the caller should send ROUTE-REFRESH
   * (we keep no pre-policy Adj-RIB-In, like BIRD's default).
   */
  setPolicies(peer: PeerId, policies: { importPolicy?: PolicyChain; exportPolicy?: PolicyChain }): void {
    this.enqueue(() => {
      this.work++;
      const p = this.peer(peer);
      p.setPolicies(policies.importPolicy, policies.exportPolicy);
      if (!p.up || !p.info) return true;
      for (const afi of [...p.groups.keys()]) {
        const old = p.groups.get(afi) as UpdateGroup;
        const before = [...old.adjOut.keys()];
        this.leaveGroup(p, afi);
        const g = this.joinGroup(p, p.info, afi, false);
        if (g === old) continue;
        // queued behind the new group's sync, so its Adj-RIB-Out is complete when this runs
        const epoch = p.epoch;
        this.enqueue(() => {
          this.work += Math.max(1, before.length);
          if (p.epoch !== epoch || g.dead) return true;
          const gone = before.filter((k) => !g.adjOut.has(k));
          if (gone.length > 0) {
            this.send(p.id, this.opts.encoder.packWithdrawals({ afi, prefixes: gone, maxSize: g.maxSize, ctx: g.s.ctx }));
          }
          return true;
        });
      }
      return true;
    });
  }

  /** End-of-RIB from the peer: its routes still STALE from before a graceful restart are gone. */
  endOfRib(peer: PeerId, afi: Afi): void {
    this.enqueue(this.inPlace(() => this.sweepStale(this.peer(peer), [afi])));
  }

  /** The graceful-restart timer of the peer ran out: drop all its STALE routes. */
  staleTimeout(peer: PeerId): void {
    this.enqueue(this.inPlace(() => this.sweepStale(this.peer(peer), FAMILIES)));
  }

  /** Announce a route of this node (pod block, advertised prefix). */
  originate(afi: Afi, prefix: PrefixKey, attrs: PathAttributes = {}): void {
    this.enqueue(() => {
      this.work++;
      const a = normalizeAttrs({ origin: 0, asPath: [], ...attrs });
      const key = attrKey(LOCAL_PEER, a);
      const id = this.attrs.intern(key, () => makeRibAttr(key, LOCAL_PEER, a, this.me.defaultLocalPref));
      const local = this.peers[LOCAL_PEER];
      const prior = this.loc(afi).upsert(prefix, LOCAL_PEER, id);
      if (prior === PriorPath.NONE) { local.received++; local.accepted++; }
      return true;
    });
  }

  withdrawLocal(afi: Afi, prefix: PrefixKey): void {
    this.enqueue(() => {
      this.work++;
      this.countRemoval(this.peers[LOCAL_PEER], this.loc(afi).remove(prefix, LOCAL_PEER));
      return true;
    });
  }

  // ---- processing -----------------------------------------------------------------------------

  /** Works off queued inputs up to about `budget` prefixes, then emits outputs (see coalescePrefixes). True if more is queued. */
  processBatch(budget = 10_000): boolean {
    this.work = 0;
    while (this.qHead < this.queue.length && this.work < budget) {
      const job = this.queue[this.qHead] as Job;
      let finished = true;
      try {
        finished = job(budget - this.work);
      } catch (err) {
        // a bug must not wedge the queue: drop the input, report, keep serving the others
        this.work++;
        this.reportError(err);
      }
      if (finished) this.queue[this.qHead++] = undefined;
    }
    if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
      this.queue.splice(0, this.qHead);
      this.qHead = 0;
    }
    let dirty = 0;
    for (const loc of this.locRibs.values()) dirty += loc.dirtyCount;
    if (!this.pending || dirty >= (this.opts.coalescePrefixes ?? 50_000)) this.flush();
    return this.pending;
  }

  get pending(): boolean {
    return this.qHead < this.queue.length;
  }

  /** Runs every queued input, yielding to the event loop between batches. */
  async drain(budget = 10_000): Promise<void> {
    while (this.processBatch(budget)) await new Promise<void>((r) => setImmediate(r));
  }

  /** Encoded messages to send, per peer, since the last call (in order). */
  takeOutput(): Map<PeerId, Buffer[]> {
    const o = this.outbox;
    this.outbox = new Map();
    return o;
  }

  onBestChange(cb: (changes: BestChange[]) => void): void {
    this.bestListeners.push(cb);
  }

  /** Reports a peer over its max-prefix limit; the RIB stops accepting new prefixes from it. */
  onMaxPrefixExceeded(cb: (peer: PeerId) => void): void {
    this.maxPrefixListeners.push(cb);
  }

  peerStats(peer: PeerId): PeerRibStats {
    const p = this.peer(peer);
    let advertised = 0;
    for (const g of p.groups.values()) advertised += g.adjOut.size;
    return { received: p.received, accepted: p.accepted, advertised, maxPrefixExceeded: p.maxPrefixExceeded };
  }

  // ---- queries (bgpctl); generators walk live tables, page them with queries.ts page() ----------

  lookup(afi: Afi, prefix: PrefixKey): RouteView | null {
    return q.lookup(this, afi, prefix);
  }

  locRibRoutes(afi: Afi): Generator<RouteView> {
    return q.locRibRoutes(this, afi);
  }

  adjRibIn(peer: PeerId, afi: Afi): Generator<RouteView> {
    return q.adjRibIn(this, peer, afi);
  }

  adjRibOut(peer: PeerId, afi: Afi): Generator<{ prefix: PrefixKey; attrs: PathAttributes }> {
    return q.adjRibOut(this, peer, afi);
  }

  /** Update groups for bgpctl (`show update-groups`). */
  updateGroups(): { afi: Afi; members: string[]; prefixes: number; attrSets: number; syncing: boolean }[] {
    return [...this.groups.values()].map((g) => ({
      afi: g.s.afi,
      members: [...g.members].map((m) => this.peer(m).config.address),
      prefixes: g.adjOut.size,
      attrSets: g.out.size,
      syncing: g.syncing,
    }));
  }

  /** Table sizes for bgpctl / metrics. */
  stats(): { prefixes: Record<string, number>; paths: number; attrSets: number; updateGroups: number; slotBytes: number; queued: number } {
    const prefixes: Record<string, number> = {};
    for (const [afi, loc] of this.locRibs) prefixes[afi === Afi.IPv4 ? 'ipv4' : 'ipv6'] = loc.table.size;
    return {
      prefixes,
      paths: this.slots.count,
      attrSets: this.attrs.size,
      updateGroups: this.groups.size,
      slotBytes: this.slots.bytes,
      queued: this.queue.length - this.qHead,
    };
  }

  loc(afi: Afi): LocRib {
    const l = this.locRibs.get(afi);
    if (!l) throw new Error(`rib: unsupported afi ${afi}`);
    return l;
  }

  peer(id: PeerId): PeerState {
    const p = this.peers[id];
    if (!p) throw new Error(`rib: no peer ${id}`);
    return p;
  }

  sourceOf(peer: PeerId): PathSource {
    const p = this.peers[peer];
    const kind: RouteSource = peer === LOCAL_PEER ? 'local' : p.role.ebgp ? 'ebgp' : 'ibgp';
    return { kind, rrClient: p.role.rrClient, routerId: p.routerId };
  }

  /** The forwarding view of a prefix's multipath set, or null. */
  nextHopSet(afi: Afi, prefix: PrefixKey): NextHopSet | null {
    const mp = this.loc(afi).multipath(prefix);
    if (mp.length === 0) return null;
    const first = this.attrs.get(this.slots.attr[mp[0]]);
    return {
      local: first.peer === LOCAL_PEER,
      nextHops: mp.map((slot) => {
        const ra = this.attrs.get(this.slots.attr[slot]);
        const p = this.peers[ra.peer];
        return {
          address: ra.attrs.nextHop ?? '',
          peer: ra.peer === LOCAL_PEER ? null : p.config.address,
          routerId: ra.attrs.originatorId ?? p.routerId,
        };
      }),
    };
  }

  // ---- internals ------------------------------------------------------------------------------

  private reportError(err: unknown): void {
    if (this.errorListeners.length === 0) console.error('rib:', err);
    for (const cb of this.errorListeners) cb(err);
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
  }

  private candidate(slot: number): Candidate {
    const ra = this.attrs.get(this.slots.attr[slot]);
    const p = this.peers[ra.peer];
    return {
      localPref: ra.localPref,
      local: ra.peer === LOCAL_PEER,
      asPathLen: ra.asPathLen,
      origin: ra.origin,
      med: ra.med,
      neighborAs: ra.neighborAs,
      ebgp: ra.peer !== LOCAL_PEER && p.role.ebgp,
      routerId: ra.originatorId >= 0 ? ra.originatorId : ra.peer === LOCAL_PEER ? this.routerIdNum : p.routerIdNum,
      clusterLen: ra.clusterLen,
      peerAddr: ra.peer === LOCAL_PEER ? '' : p.addrKey,
    };
  }

  /** Import work shared by every NLRI of one UPDATE: loop checks, role changes, policy if prefix-blind. */
  private prepareImport(p: PeerState, afi: Afi, raw: PathAttributes): Prepared {
    const a = importTransform(p.role, raw);
    if (importLoops(p.role, a, this.me)) return { id: NO_ATTR, policy: undefined, attrs: a };
    const policy = p.importPolicy(afi);
    if (policy?.prefixDependent) return { id: NO_ATTR, policy, attrs: a };
    if (policy) {
      const r = policy.evaluate({ prefix: '', attrs: a, source: p.role.ebgp ? 'ebgp' : 'ibgp', localAs: p.role.localAs });
      if (r.verdict === 'reject') return { id: NO_ATTR, policy: undefined, attrs: a };
      return { id: this.internIn(p, importFixup(r.attrs, a)), policy: undefined, attrs: r.attrs };
    }
    return { id: this.internIn(p, a), policy: undefined, attrs: a };
  }

  private internIn(p: PeerState, attrs: PathAttributes): number {
    const a = normalizeAttrs(attrs);
    const key = attrKey(p.id, a);
    return this.attrs.intern(key, () => makeRibAttr(key, p.id, a, this.me.defaultLocalPref));
  }

  private announce(p: PeerState, loc: LocRib, afi: Afi, prefix: PrefixKey, prep: Prepared): void {
    let id = prep.id;
    let temp = false;
    if (prep.policy) {
      const r = prep.policy.evaluate({ prefix, attrs: prep.attrs, source: p.role.ebgp ? 'ebgp' : 'ibgp', localAs: p.role.localAs });
      if (r.verdict !== 'reject') { id = this.internIn(p, importFixup(r.attrs, prep.attrs)); temp = true; }
    }
    if (id !== NO_ATTR && p.config.maxPrefix !== undefined && p.accepted >= p.config.maxPrefix
        && !(p.config.maxPrefixWarnOnly && p.maxPrefixExceeded)
        && this.pathState(loc, prefix, p.id) !== PriorPath.ACCEPTED) {
      if (!p.maxPrefixExceeded) {
        p.maxPrefixExceeded = true;
        for (const cb of this.maxPrefixListeners) cb(p.id);
      }
      if (!p.config.maxPrefixWarnOnly) {
        if (temp) this.attrs.unref(id);
        return;
      }
    }
    if (id !== NO_ATTR && !temp) this.attrs.ref(id);
    const prior = loc.upsert(prefix, p.id, id);
    if (prior === PriorPath.NONE) p.received++;
    if (id !== NO_ATTR && prior !== PriorPath.ACCEPTED) p.accepted++;
    if (id === NO_ATTR && prior === PriorPath.ACCEPTED) p.accepted--;
  }

  private pathState(loc: LocRib, prefix: PrefixKey, peer: PeerId): PriorPath {
    const s = this.slots;
    for (let slot = loc.table.get(prefix) ?? NO_SLOT; slot !== NO_SLOT; slot = s.next[slot]) {
      if (s.peer[slot] === peer) return s.attr[slot] === NO_ATTR ? PriorPath.FILTERED : PriorPath.ACCEPTED;
    }
    return PriorPath.NONE;
  }

  private countRemoval(p: PeerState, prior: PriorPath): void {
    if (prior === PriorPath.NONE) return;
    p.received--;
    if (prior === PriorPath.ACCEPTED) p.accepted--;
  }

  private sweepStale(p: PeerState, families: readonly Afi[]): Job[] {
    return families
      .filter((afi) => p.staleFamilies.delete(afi))
      .map((afi) => this.scanJob(afi, (loc, prefix) => this.countRemoval(p, loc.remove(prefix, p.id, true))));
  }

  /** Visits every prefix present when the scan starts, in budget-sized chunks. */
  private scanJob(afi: Afi, visit: (loc: LocRib, prefix: PrefixKey) => void): Job {
    const loc = this.loc(afi);
    let keys: PrefixKey[] | undefined;
    let pos = 0;
    return (budget) => {
      keys ??= [...loc.table.keys()];
      const end = Math.min(keys.length, pos + Math.max(1, budget));
      this.work += Math.max(1, end - pos);
      for (; pos < end; pos++) visit(loc, keys[pos]);
      return pos >= keys.length;
    };
  }

  /**
   * A job that runs `setup` when its turn comes and then the jobs it returns, all in this queue
   * position, so inputs queued behind it (a new session's routes) are not touched by its scans.
   */
  private inPlace(setup: () => Job[]): Job {
    let jobs: Job[] | undefined;
    let i = 0;
    return (budget) => {
      const start = this.work;
      if (!jobs) {
        this.work++;
        jobs = setup();
      }
      while (i < jobs.length) {
        const left = budget - (this.work - start);
        if (left <= 0) return false;
        if (!jobs[i](left)) return false;
        i++;
      }
      return true;
    };
  }

  private startSession(p: PeerState, info: PeerUpInfo): void {
    if (p.removed) return;
    if (p.up) this.endSession(p);
    p.up = true;
    p.epoch++;
    p.info = info;
    p.setRouterId(info.routerId);
    p.maxPrefixExceeded = false;
    for (const afi of info.families) {
      if (this.locRibs.has(afi)) this.joinGroup(p, info, afi, true);
    }
  }

  /** Puts the peer into the update group matching its export settings for `afi`, creating it if new. */
  private joinGroup(p: PeerState, info: PeerUpInfo, afi: Afi, eor: boolean): UpdateGroup {
    const policy = p.config.exportPolicy;
    const settings = {
      afi,
      role: p.role,
      ctx: info.ctx,
      selfAddress: afi === Afi.IPv4 ? info.localAddress.ipv4 : info.localAddress.ipv6,
      policy: policy ? compilePolicy(policy, afi) : undefined,
      ...(p.role.ebgp ? { peerAs: p.config.remoteAs } : {}),
    };
    const key = groupKey(settings, policy ? this.policyId(policy) : '');
    let g = this.groups.get(key);
    const fresh = !g;
    if (!g) {
      g = new UpdateGroup(key, settings, this.me, this.opts.encoder, (peer) => this.sourceOf(peer), (err) => this.reportError(err));
      this.groups.set(key, g);
    }
    g.members.add(p.id);
    p.groups.set(afi, g);
    if (eor) this.eorWait.set(`${p.id}:${afi}`, fresh ? 1 : g.syncing ? 2 : 1);
    if (fresh) this.enqueue(this.syncJob(g));
    else this.enqueue(this.dumpJob(p, g, eor));
    return g;
  }

  private leaveGroup(p: PeerState, afi: Afi): void {
    const g = p.groups.get(afi);
    if (!g) return;
    g.members.delete(p.id);
    p.groups.delete(afi);
    this.eorWait.delete(`${p.id}:${afi}`);
    if (g.members.size === 0) {
      g.destroy();
      this.groups.delete(g.key);
    }
  }

  private endSession(p: PeerState): void {
    p.up = false;
    p.epoch++;
    for (const afi of [...p.groups.keys()]) this.leaveGroup(p, afi);
    this.outbox.delete(p.id);
  }

  /** Identity of a policy chain for update-group keys (same Policy objects in the same order). */
  private policyId(chain: PolicyChain): string {
    return policyIdentity(chain).map((p) => {
      let id = this.policyIds.get(p);
      if (id === undefined) {
        id = this.policyIdSeq++;
        this.policyIds.set(p, id);
      }
      return id;
    }).join(',');
  }
  private policyIdSeq = 1;

  /** Fills a new group's Adj-RIB-Out from the Loc-RIB, sending to its members as it goes. */
  private syncJob(g: UpdateGroup): Job {
    const afi = g.s.afi;
    const loc = this.loc(afi);
    const keys = [...loc.table.keys()];
    let pos = 0;
    g.syncing = true;
    return (budget) => {
      if (g.dead) return true;
      const end = Math.min(keys.length, pos + Math.max(1, budget));
      const out = g.diff(keys.slice(pos, end), (p) => this.bestAttr(loc, p), (id) => this.attrs.get(id));
      this.work += Math.max(1, end - pos);
      pos = end;
      this.sendToGroup(g, out);
      if (pos < keys.length) return false;
      g.syncing = false;
      for (const m of g.members) this.eorStep(m, afi);
      return true;
    };
  }

  /** Sends a group's current Adj-RIB-Out to one member (joined late, or asked for a refresh). */
  private dumpJob(p: PeerState, g: UpdateGroup, eor: boolean): Job {
    const epoch = p.epoch;
    const keys = [...g.adjOut.keys()];
    let pos = 0;
    return (budget) => {
      if (g.dead || p.epoch !== epoch) return true;
      const end = Math.min(keys.length, pos + Math.max(1, budget));
      this.send(p.id, g.dump(keys.slice(pos, end)));
      this.work += Math.max(1, end - pos);
      pos = end;
      if (pos < keys.length) return false;
      if (eor) this.eorStep(p.id, g.s.afi);
      return true;
    };
  }

  private eorStep(peer: PeerId, afi: Afi): void {
    const k = `${peer}:${afi}`;
    const left = this.eorWait.get(k);
    if (left === undefined) return;
    if (left > 1) { this.eorWait.set(k, left - 1); return; }
    this.eorWait.delete(k);
    this.send(peer, [this.opts.encoder.encodeEndOfRib(afi)]);
  }

  private bestAttr(loc: LocRib, prefix: PrefixKey): number {
    const slot = loc.best(prefix);
    return slot === NO_SLOT ? -1 : this.slots.attr[slot];
  }

  private send(peer: PeerId, bufs: Buffer[]): void {
    if (bufs.length === 0) return;
    const list = this.outbox.get(peer);
    if (list) for (const b of bufs) list.push(b);
    else this.outbox.set(peer, bufs.slice());
  }

  private sendToGroup(g: UpdateGroup, bufs: Buffer[]): void {
    if (bufs.length === 0) return;
    for (const m of g.members) this.send(m, bufs);
  }

  /** Turns the batch's Loc-RIB changes into group UPDATEs and one best-change notification. */
  private flush(): void {
    const changes: BestChange[] = [];
    for (const [afi, loc] of this.locRibs) {
      const dirty = loc.takeDirty();
      if (dirty.length === 0) continue;
      // each prefix's best is looked up once, not once per update group (Map lookups dominate here)
      let best: Int32Array | undefined;
      for (const g of this.groups.values()) {
        if (g.s.afi !== afi) continue;
        if (!best) {
          best = new Int32Array(dirty.length);
          for (let i = 0; i < dirty.length; i++) best[i] = this.bestAttr(loc, dirty[i]);
        }
        const b = best;
        this.sendToGroup(g, g.diff(dirty, (_p, i) => b[i], (id) => this.attrs.get(id)));
      }
      if (this.bestListeners.length > 0) {
        // the dirty list may repeat a prefix; listeners get each once
        for (const prefix of new Set(dirty)) changes.push({ afi, prefix, best: this.nextHopSet(afi, prefix) });
      }
    }
    if (changes.length > 0) for (const cb of this.bestListeners) cb(changes);
  }
}

/** 'self' as a next hop only means something on export; on import it keeps the received one. */
function importFixup(after: PathAttributes, before: PathAttributes): PathAttributes {
  return after.nextHop === 'self' ? { ...after, nextHop: before.nextHop } : after;
}

interface Prepared {
  /** Interned attributes shared by every NLRI (held once for the UPDATE), or NO_ATTR. */
  id: number;
  /** Set when the import policy must run per prefix. */
  policy: CompiledPolicy | undefined;
  attrs: PathAttributes;
}
