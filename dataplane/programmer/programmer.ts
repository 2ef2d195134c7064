// Best BGP routes → kernel routes: full reconcile at start, incremental batches after, repair of
// external deletes, and graceful-restart style stale handling. Never removes anything on exit.
import { Netlink } from '../index';
import type { Monitor, MonitorEvent } from '../monitor';
import { RT_TABLE_MAIN } from '../netlink/constants';
import { NetlinkError, isNetlinkError } from '../netlink/errors';
import { RTPROT_TORTIE, describeRoute } from '../routes';
import type { Route, RouteOp } from '../routes';
import { VXLAN_DEV, localBlockRoute, remoteRoute, routeSignature } from './desired';
import type { BuildResult, DesiredRoute } from './desired';
import { countError, newCounters } from './counters';
import { ensureIpip, ensureVxlan, watchedDevices } from './devices';
import { canonicalPrefix } from './subnet';
import type {
  LocalBlock, NodeFacts, ProgrammerCounters, ProgrammerOptions, ProgrammerSnapshot, RemoteRoute, RouteSnapshot,
} from './types';

interface Installed {
  sig: string;
  /** what to send to re-add it (desired form, or the kernel's own for stale routes) */
  route: Route;
}

export class RouteProgrammer {
  readonly node: NodeFacts;
  readonly protocol: number;
  readonly table: number;
  private readonly nl: Netlink;
  private readonly opts: ProgrammerOptions;
  private monitor: Monitor | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private repairTimer: NodeJS.Timeout | undefined;
  private readonly c: ProgrammerCounters = newCounters();

  // input, by canonical prefix
  private remotes = new Map<string, RemoteRoute>();
  private locals = new Map<string, LocalBlock>();
  private readonly desired = new Map<string, DesiredRoute>();
  private readonly problems = new Map<string, string>();
  // our belief about the kernel (corrected by every resync)
  private readonly installed = new Map<string, Installed>();
  private readonly failed = new Map<string, string>();
  private readonly stale = new Set<string>();
  private readonly neighInstalled = new Map<string, string>(); // vtep ip → mac
  private readonly fdbInstalled = new Map<string, string>(); // mac → node ip
  private readonly staleNeigh = new Set<string>();
  private readonly staleFdb = new Set<string>();
  private readonly dirty = new Set<string>();
  /** keys whose input changed and whose desired route is not built yet */
  private readonly uncomputed = new Set<string>();
  private readonly repairKeys = new Set<string>();
  private readonly linkUp = new Map<string, boolean>();
  private readonly linkIndex = new Map<string, number>();
  /** next retry delay; 0 = start from retryMs (reset by a flush without failures) */
  private retryDelay = 0;

  /** every kernel-touching task runs on this chain, one at a time */
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private resyncQueued = false;
  private started = false;
  private closed = false;
  /** set by markAllStale() before start: the first reconcile keeps unknown routes of ours as stale */
  private staleAtStart = false;

  constructor(opts: ProgrammerOptions) {
    this.opts = opts;
    this.node = opts.node;
    this.protocol = opts.protocol ?? RTPROT_TORTIE;
    this.table = opts.table ?? RT_TABLE_MAIN;
    this.nl = Netlink.open({ netns: opts.netns });
  }

  get counters(): ProgrammerCounters {
    return { ...this.c, errors: { ...this.c.errors } };
  }

  /** Devices, full reconcile (adopt matching routes, fix or remove others of our protocol), then watch. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.enqueue(() => this.doResync());
    this.staleAtStart = false;
    if (this.closed) return;
    this.monitor = this.nl.monitor({
      routes: true, links: true, addresses: true, ref: false, intervalMs: this.opts.monitorIntervalMs, maxPerPoll: 2048,
    });
    this.monitor.on((ev) => this.onEvent(ev));
    const every = this.opts.resyncIntervalMs ?? 60_000;
    if (every > 0) {
      this.resyncTimer = setInterval(() => this.scheduleResync(), every);
      this.resyncTimer.unref();
    }
  }

  setRemote(route: RemoteRoute): void {
    const key = this.keyOf(route.prefix);
    if (key === undefined) return;
    this.remotes.set(key, route);
    this.recompute(key);
  }

  removeRemote(prefix: string): void {
    const key = this.keyOf(prefix);
    if (key === undefined || !this.remotes.delete(key)) return;
    // an explicit withdraw ends the grace period of that one route
    this.stale.delete(key);
    this.recompute(key);
  }

  setLocalBlock(block: LocalBlock): void {
    const key = this.keyOf(block.prefix);
    if (key === undefined) return;
    this.locals.set(key, block);
    this.recompute(key);
  }

  removeLocalBlock(prefix: string): void {
    const key = this.keyOf(prefix);
    if (key === undefined || !this.locals.delete(key)) return;
    this.stale.delete(key);
    this.recompute(key);
  }

  /** Replaces the whole input: prefixes not given are withdrawn. */
  replaceAll(input: { remotes?: readonly RemoteRoute[]; locals?: readonly LocalBlock[] }): void {
    const remotes = new Map<string, RemoteRoute>();
    const locals = new Map<string, LocalBlock>();
    for (const r of input.remotes ?? []) {
      const k = this.keyOf(r.prefix);
      if (k !== undefined) remotes.set(k, r);
    }
    for (const b of input.locals ?? []) {
      const k = this.keyOf(b.prefix);
      if (k !== undefined) locals.set(k, b);
    }
    // withdrawn ones end their grace period; routes are built later from the new maps (lazy)
    for (const k of this.remotes.keys()) {
      if (remotes.has(k)) continue;
      this.stale.delete(k);
      this.recompute(k, false);
    }
    for (const k of this.locals.keys()) {
      if (locals.has(k)) continue;
      this.stale.delete(k);
      this.recompute(k, false);
    }
    this.remotes = remotes;
    this.locals = locals;
    for (const k of remotes.keys()) this.recompute(k, false);
    for (const k of locals.keys()) this.recompute(k, false);
    this.scheduleFlush();
  }

  /**
   * Everything of ours in the kernel becomes stale: kept (with its ARP/FDB entries) until the same
   * prefix is set again, explicitly removed, or sweepStale() runs. Before start(): routes left by a
   * previous instance are kept instead of removed. After start(): the input is cleared too (the
   * feeder lost its state and will re-send what it still has).
   */
  markAllStale(): void {
    if (!this.started) {
      this.staleAtStart = true;
      return;
    }
    for (const k of this.installed.keys()) this.stale.add(k);
    for (const ip of this.neighInstalled.keys()) this.staleNeigh.add(ip);
    for (const mac of this.fdbInstalled.keys()) this.staleFdb.add(mac);
    this.remotes.clear();
    this.locals.clear();
    this.desired.clear();
    this.uncomputed.clear();
    this.problems.clear();
  }

  /** Removes stale routes/entries not re-learned since markAllStale(); resolves with the routes removed. */
  async sweepStale(): Promise<number> {
    let removed = 0;
    await this.enqueue(async () => {
      const keys = [...this.stale].filter((k) => !this.desired.has(k));
      this.stale.clear();
      this.staleNeigh.clear();
      this.staleFdb.clear();
      for (const k of keys) this.dirty.add(k);
      const before = this.c.routeDels;
      await this.doFlush(true);
      removed = this.c.routeDels - before;
      this.c.staleRemoved += removed;
    });
    return removed;
  }

  /** Resolves once every change made so far reached the kernel (or failed and awaits a retry). */
  flushed(): Promise<void> {
    return this.chain;
  }

  /** Full reconcile now (also run periodically, after netlink overflows and tunnel/underlay link changes). */
  resync(): Promise<void> {
    return this.enqueue(() => this.doResync());
  }

  snapshot(): ProgrammerSnapshot {
    this.materializeSync();
    const routes: RouteSnapshot[] = [];
    const keys = new Set([...this.desired.keys(), ...this.installed.keys()]);
    for (const key of [...keys].sort()) {
      const d = this.desired.get(key);
      const inst = this.installed.get(key);
      const route = d?.route ?? inst?.route;
      if (!route) continue;
      const err = this.failed.get(key);
      const state = err ? 'failed' : !d ? (this.stale.has(key) ? 'stale' : 'pending') : inst?.sig === d.sig ? 'installed' : 'pending';
      const s: RouteSnapshot = {
        prefix: key, kind: d?.kind ?? 'stale', kernel: describeRoute('', route).trim(), state,
      };
      if (d?.encap) s.encap = d.encap;
      if (err) s.error = err;
      routes.push(s);
    }
    const vteps = [...this.neighInstalled].map(([ip, mac]) => ({ ip, mac, nodeIp: this.fdbInstalled.get(mac) ?? '' }));
    return {
      node: this.node, protocol: this.protocol, table: this.table, stale: this.stale.size > 0,
      routes, vteps, counters: this.counters, problems: [...this.problems.values()],
    };
  }

  /** Stops watching; routes stay in the kernel (a restarted instance adopts them). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.monitor?.close();
    for (const t of [this.resyncTimer, this.retryTimer, this.repairTimer]) if (t) clearTimeout(t);
    clearInterval(this.resyncTimer);
    await this.chain;
    this.nl.close();
  }

  // ---- input → desired

  private keyOf(prefix: string): string | undefined {
    try {
      return canonicalPrefix(prefix);
    } catch (e) {
      this.problems.set(prefix, `${prefix}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /**
   * Only marks the key: the route is built later by materialize(), in slices inside the flush, so a
   * replaceAll() of 100k routes does not hold the event loop while building them.
   */
  private recompute(key: string, flush = true): void {
    this.uncomputed.add(key);
    this.dirty.add(key);
    if (flush) this.scheduleFlush();
  }

  private async materialize(): Promise<void> {
    const slice = (this.opts.sliceSize ?? 1024) * 4;
    let n = 0;
    for (const key of this.uncomputed) {
      this.computeNow(key);
      this.uncomputed.delete(key);
      if (++n % slice === 0) await new Promise<void>((r) => setImmediate(r));
    }
  }

  private materializeSync(): void {
    for (const key of this.uncomputed) this.computeNow(key);
    this.uncomputed.clear();
  }

  private computeNow(key: string): void {
    const local = this.locals.get(key);
    const remote = this.remotes.get(key);
    let res: BuildResult | undefined;
    // A block we own is never routed elsewhere, whatever peers say.
    if (local) res = localBlockRoute(local, this.protocol, this.table);
    else if (remote) res = remoteRoute(remote, this.node, this.protocol, this.table);
    this.problems.delete(key);
    if (res?.ok) this.desired.set(key, res.desired);
    else {
      this.desired.delete(key);
      if (res) this.problems.set(key, res.problem);
    }
  }

  // ---- scheduling

  private enqueue(task: () => Promise<void> | void): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.closed && this.started) return;
      try {
        await task();
      } catch (e) {
        this.problems.set('(programmer)', `internal: ${(e as Error).message}`);
      }
    };
    this.chain = this.chain.then(run);
    return this.chain;
  }

  private scheduleFlush(): void {
    if (!this.started || this.flushQueued || this.closed) return;
    this.flushQueued = true;
    void this.enqueue(() => {
      this.flushQueued = false;
      return this.doFlush();
    });
  }

  private scheduleResync(delayMs = 0): void {
    if (this.resyncQueued || this.closed) return;
    this.resyncQueued = true;
    const go = (): void => {
      void this.enqueue(() => {
        this.resyncQueued = false;
        return this.doResync();
      });
    };
    if (delayMs > 0) setTimeout(go, delayMs).unref();
    else go();
  }

  /**
   * Failed ops are retried through the flush, with the delay doubling (up to 30 s) while failures
   * persist: a foreign route holding one of our prefixes costs one add per period, not a busy loop.
   */
  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    const base = this.opts.retryMs ?? 1000;
    const delay = this.retryDelay || base;
    this.retryDelay = Math.min(delay * 2, Math.max(base, 30_000));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      for (const k of this.failed.keys()) this.dirty.add(k);
      this.scheduleFlush();
    }, delay);
    this.retryTimer.unref();
  }

  private onEvent(ev: MonitorEvent): void {
    if (ev.kind === 'overflow') {
      this.scheduleResync(this.opts.repairDelayMs ?? 50);
      return;
    }
    if (ev.kind === 'address') {
      // losing the underlay or tunnel address silently takes routes through it
      if (ev.action === 'del' && this.watchedIndex(ev.address.index)) this.scheduleResync(this.opts.repairDelayMs ?? 50);
      return;
    }
    if (ev.kind === 'link') {
      const name = ev.link.name;
      if (!watchedDevices(this.node).includes(name)) return;
      const up = ev.action === 'new' && ev.link.up;
      const was = this.linkUp.get(name);
      this.linkUp.set(name, up);
      // Device loss or down flushes its routes without a RTM_DELROUTE per route.
      if (ev.action === 'del' || (was !== undefined && was !== up)) this.scheduleResync(this.opts.repairDelayMs ?? 50);
      return;
    }
    if (ev.kind !== 'route' || (ev.route.table ?? RT_TABLE_MAIN) !== this.table) return;
    const key = ev.route.dst;
    const inst = this.installed.get(key);
    if (!inst) return;
    // Monitor events carry ifindexes, not names: no signature check here. The repair's "add" is a
    // no-op (EEXIST) when the event was stale and the route is in fact present.
    if (ev.action === 'del' && ev.route.protocol === this.protocol) {
      this.repairKeys.add(key);
      this.scheduleRepair();
    } else if (ev.action === 'new' && ev.route.protocol !== this.protocol) {
      // someone else's route at one of our prefixes (maybe replacing ours): look at the real table
      this.scheduleResync(this.opts.repairDelayMs ?? 50);
    }
  }

  private watchedIndex(index: number): boolean {
    return watchedDevices(this.node).some((name) => this.linkIndex.get(name) === index);
  }

  private scheduleRepair(): void {
    if (this.repairTimer || this.closed) return;
    this.repairTimer = setTimeout(() => {
      this.repairTimer = undefined;
      void this.enqueue(() => this.doRepair());
    }, this.opts.repairDelayMs ?? 50);
    this.repairTimer.unref();
  }

  // ---- kernel work (only ever run on the chain)

  /**
   * Re-adds routes whose deletion we saw. "add", never "replace": EEXIST means the route is there
   * (the event was our own earlier delete) and nothing foreign is ever overwritten.
   */
  private async doRepair(): Promise<void> {
    const keys = [...this.repairKeys];
    this.repairKeys.clear();
    const ops: RouteOp[] = [];
    for (const k of keys) {
      const inst = this.installed.get(k);
      if (inst) ops.push({ op: 'add', route: inst.route });
    }
    if (ops.length === 0) return;
    const res = await this.nl.routes.batchAsync(ops, { sliceSize: this.opts.sliceSize ?? 1024 });
    res.forEach((err, i) => {
      if (!err) {
        this.c.repairs++;
        this.c.routeAdds++;
      } else if (err.errno !== 'EEXIST') {
        this.fail(ops[i].route.dst, err);
      }
    });
  }

  /** checkVteps: sync ARP/FDB even when no route changed (after a resync read them back) */
  private async doFlush(checkVteps = false): Promise<void> {
    await this.materialize();
    if (this.dirty.size === 0 && !checkVteps) return;
    const keys = [...this.dirty];
    this.dirty.clear();
    this.syncVteps('add');
    const ops: RouteOp[] = [];
    const meta: { key: string; sig: string }[] = [];
    for (const key of keys) {
      const d = this.desired.get(key);
      const inst = this.installed.get(key);
      if (d) {
        // re-learned after a restart, unchanged: adopted as it is
        if (inst && inst.sig === d.sig && this.stale.delete(key)) this.c.adopted++;
        this.stale.delete(key);
        if (inst && inst.sig === d.sig) {
          this.failed.delete(key);
          continue;
        }
        // replace only over a route we know is ours: an add never clobbers someone else's route
        ops.push({ op: inst ? 'replace' : 'add', route: d.route });
        meta.push({ key, sig: d.sig });
      } else {
        if (!inst || this.stale.has(key)) {
          if (!inst) this.failed.delete(key);
          continue;
        }
        const r = inst.route;
        ops.push({ op: 'del', route: { dst: key, family: r.family, table: this.table, protocol: this.protocol, priority: r.priority } });
        meta.push({ key, sig: '' });
      }
    }
    if (ops.length > 0) {
      const res = await this.nl.routes.batchAsync(ops, { sliceSize: this.opts.sliceSize ?? 1024 });
      let failures = 0;
      res.forEach((err, i) => {
        const { op, route } = ops[i];
        const { key, sig } = meta[i];
        if (op === 'del') {
          if (!err || err.errno === 'ESRCH') {
            this.c.routeDels += err ? 0 : 1;
            this.installed.delete(key);
            this.failed.delete(key);
          } else this.fail(key, err);
        } else if (!err) {
          if (op === 'add') this.c.routeAdds++;
          else this.c.routeReplaces++;
          this.installed.set(key, { sig, route });
          this.failed.delete(key);
        } else {
          this.fail(key, err);
        }
        if (err && !(op === 'del' && err.errno === 'ESRCH')) failures++;
      });
      if (failures === 0 && this.failed.size === 0) this.retryDelay = 0;
    }
    this.syncVteps('del');
  }

  private fail(key: string, err: NetlinkError): void {
    countError(this.c, err.errno);
    this.failed.set(key, err.errno + (err.extack ? ` (${err.extack})` : ''));
    this.opts.onError?.(err);
    // EEXIST (someone else's route at the prefix) is retried too; the periodic resync adopts it
    // instead if it turns out to carry our protocol.
    this.scheduleRetry();
  }

  private wantedVteps(): { neigh: Map<string, string>; fdb: Map<string, string> } {
    const neigh = new Map<string, string>();
    const fdb = new Map<string, string>();
    for (const d of this.desired.values()) {
      for (const v of d.vteps) {
        neigh.set(v.ip, v.mac);
        fdb.set(v.mac, v.nodeIp);
      }
    }
    return { neigh, fdb };
  }

  /** ARP + FDB for remote VTEPs: adds before the routes that use them, removals after. */
  private syncVteps(phase: 'add' | 'del'): void {
    if (!this.node.vxlan) return;
    const want = this.wantedVteps();
    const dev = VXLAN_DEV;
    const attempt = (fn: () => void, ok: () => void): void => {
      try {
        fn();
        ok();
      } catch (e) {
        if (isNetlinkError(e)) {
          if (e.errno === 'ENOENT') return ok(); // already gone
          countError(this.c, e.errno);
          this.opts.onError?.(e);
          this.scheduleRetry();
        } else throw e;
      }
    };
    if (phase === 'add') {
      for (const [mac, nodeIp] of want.fdb) {
        if (this.fdbInstalled.get(mac) === nodeIp) continue;
        attempt(() => this.nl.fdb.replace({ dev, mac, dst: nodeIp }), () => {
          this.c.fdbSets++;
          this.fdbInstalled.set(mac, nodeIp);
          this.staleFdb.delete(mac);
        });
      }
      for (const [ip, mac] of want.neigh) {
        if (this.neighInstalled.get(ip) === mac) continue;
        attempt(() => this.nl.neighbours.replace({ dev, dst: ip, lladdr: mac }), () => {
          this.c.neighSets++;
          this.neighInstalled.set(ip, mac);
          this.staleNeigh.delete(ip);
        });
      }
      return;
    }
    for (const [ip] of [...this.neighInstalled]) {
      if (want.neigh.has(ip) || this.staleNeigh.has(ip)) continue;
      attempt(() => this.nl.neighbours.del({ dev, dst: ip }), () => {
        this.c.neighDels++;
        this.neighInstalled.delete(ip);
      });
    }
    for (const [mac, nodeIp] of [...this.fdbInstalled]) {
      if (want.fdb.has(mac) || this.staleFdb.has(mac)) continue;
      attempt(() => this.nl.fdb.del({ dev, mac, dst: nodeIp }), () => {
        this.c.fdbDels++;
        this.fdbInstalled.delete(mac);
      });
    }
  }

  private ensureDevices(): void {
    try {
      ensureIpip(this.nl, this.node);
      ensureVxlan(this.nl, this.node);
      this.problems.delete('(devices)');
    } catch (e) {
      this.problems.set('(devices)', `devices: ${(e as Error).message}`);
      if (isNetlinkError(e)) countError(this.c, e.errno);
    }
    for (const name of watchedDevices(this.node)) {
      const link = this.nl.links.get(name);
      this.linkUp.set(name, link?.up ?? false);
      if (link) this.linkIndex.set(name, link.index);
    }
  }

  /** Reads our routes (and VTEP entries) back from the kernel and queues whatever differs. */
  private async doResync(): Promise<void> {
    this.c.resyncs++;
    await this.materialize();
    this.ensureDevices();
    const keepUnknown = this.staleAtStart;
    const kernel = this.nl.routes.dump({ protocol: this.protocol, table: this.table });
    const seen = new Set<string>();
    const extra: RouteOp[] = [];
    for (const kr of kernel) {
      if ((kr.table ?? RT_TABLE_MAIN) !== this.table) continue;
      const key = kr.dst;
      if (seen.has(key)) {
        // a second route of ours at the same prefix (other metric): we keep one per prefix
        extra.push({ op: 'del', route: { dst: key, family: kr.family, table: this.table, protocol: this.protocol, priority: kr.priority } });
        continue;
      }
      seen.add(key);
      const sig = routeSignature(kr);
      const d = this.desired.get(key);
      const prev = this.installed.get(key);
      if (d && d.sig === sig) {
        if (prev?.sig !== sig) this.c.adopted++;
        this.installed.set(key, { sig, route: d.route });
        this.failed.delete(key);
        continue;
      }
      this.installed.set(key, { sig, route: stripReadOnly(kr) });
      if (!d && (keepUnknown || this.stale.has(key))) this.stale.add(key);
      else this.dirty.add(key);
    }
    for (const key of [...this.installed.keys()]) {
      if (seen.has(key)) continue;
      this.installed.delete(key);
      this.stale.delete(key);
    }
    for (const key of this.desired.keys()) if (!seen.has(key)) this.dirty.add(key);
    if (extra.length > 0) {
      const res = await this.nl.routes.batchAsync(extra, { sliceSize: this.opts.sliceSize ?? 1024 });
      res.forEach((err) => {
        if (!err) this.c.routeDels++;
        else if (err.errno !== 'ESRCH') countError(this.c, err.errno);
      });
    }
    this.readVteps(keepUnknown);
    await this.doFlush(true);
  }

  private readVteps(keepUnknown: boolean): void {
    this.neighInstalled.clear();
    this.fdbInstalled.clear();
    if (!this.node.vxlan || !this.nl.links.get(VXLAN_DEV)) return;
    const want = this.wantedVteps();
    for (const n of this.nl.neighbours.list({ dev: VXLAN_DEV })) {
      if (!n.state.includes('permanent') || !n.lladdr) continue;
      this.neighInstalled.set(n.dst, n.lladdr);
      if (keepUnknown && !want.neigh.has(n.dst)) this.staleNeigh.add(n.dst);
    }
    for (const f of this.nl.fdb.list({ dev: VXLAN_DEV })) {
      if (!f.self || !f.dst) continue;
      this.fdbInstalled.set(f.mac, f.dst);
      if (keepUnknown && !want.fdb.has(f.mac)) this.staleFdb.add(f.mac);
    }
    // whatever differs from the wanted entries is fixed by the flush that follows
  }
}

/** A dumped route as something we can send back (re-add after an external delete). */
function stripReadOnly(r: Route): Route {
  const out: Route = { ...r };
  delete out.linkdown;
  delete out.oif;
  if (out.nexthops) out.nexthops = out.nexthops.map(({ linkdown: _l, oif, dev, ...nh }) => ({ ...nh, ...(dev ? { dev } : { oif }) }));
  if (!out.dev && r.oif) out.oif = r.oif;
  return out;
}
