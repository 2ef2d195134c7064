// The speaker: one RIB, one session per peer, and the glue between them. Session events feed the
// RIB (peer up with the negotiated facts, UPDATE batches with backpressure, down graceful or not,
// route refresh, End-of-RIB); the RIB's encoded output goes back to the sessions through the
// driver, which works in bounded batches with setImmediate between them.
import type { PolicyConfig, TortieConfig } from '../../config/types';
import { RibDriver } from '../rib/driver';
import type { Policy } from '../rib/policy';
import { prefixKey } from '../rib/prefix-key';
import { Rib } from '../rib/rib';
import type { BestChange, PeerId } from '../rib/types';
import type { PathAttributes } from '../wire/types';
import { wireEncoder } from '../rib/wire-encoder';
import type { Logger } from '../session/peer-config';
import type { BgpListener } from '../session/transport';
import { normalizeAddress } from '../session/transport';
import { sameSettings } from './same-settings';
import { Afi } from '../wire/types';
import { Md5DropWatch } from './md5-watch';
import { PeerRuntime } from './peer-runtime';
import type { PeerHost } from './peer-runtime';
import { meshPeer, ribPeerConfig } from './peer-map';
import type { MeshPeerInput, RestartState, SpeakerIdentity, SpeakerPeer } from './peer-map';
import { mapPolicies } from './policy-map';

/** What a caller may set on a route it originates (BGPConfiguration prefixAdvertisements). */
export type OriginAttributes = Pick<PathAttributes, 'communities' | 'largeCommunities'>;

export type SpeakerConfig = SpeakerIdentity & Pick<TortieConfig, 'multipath' | 'policies'>;

export interface SpeakerOptions {
  config: SpeakerConfig;
  logger: Logger;
  /** We came back from an unclean stop (restart marker found): advertise R and F bits. */
  restarting?: boolean;
  /** Incoming connections are handed to the sessions through this listener. */
  listener?: BgpListener;
  /** Extra session options (tests inject a connector / scheduler). */
  sessionOptions?: PeerHost['sessionOptions'];
  /** Prefixes worked per RIB batch before yielding to the event loop. Default 10,000. */
  batchBudget?: number;
}

const afiOfPrefix = (p: string): Afi => (p.includes(':') ? Afi.IPv6 : Afi.IPv4);

export class Speaker {
  readonly rib: Rib;
  readonly driver: RibDriver;
  readonly restart: RestartState;
  readonly startedAt = Date.now();
  private config: SpeakerConfig;
  private readonly logger: Logger;
  private readonly listener: BgpListener | undefined;
  private readonly byName = new Map<string, PeerRuntime>();
  private readonly byRibId = new Map<PeerId, PeerRuntime>();
  private policies: Map<string, Policy>;
  /**
   * Locally originated prefixes and who asked for each: the config's advertisePrefixes ('config') and
   * the node agent's pod blocks ('ipam') come and go independently, so a reload that rewrites one set
   * must not withdraw a prefix the other still wants. The RIB sees one route per prefix.
   */
  private readonly originated = new Map<string, Set<string>>();
  /** Attributes each originated prefix was last announced with (JSON; '{}' = none). */
  private readonly originAttrs = new Map<string, string>();
  private started = false;
  private stoppedForRestart = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Says which waiting peers a TCP-MD5 mismatch may be holding back (the kernel drops silently). */
  private md5Watch: Md5DropWatch | undefined;

  constructor(private readonly opts: SpeakerOptions) {
    this.config = opts.config;
    this.logger = opts.logger;
    this.listener = opts.listener;
    this.restart = { restarting: opts.restarting ?? false };
    this.policies = mapPolicies(opts.config.policies);
    this.rib = new Rib({
      localAs: opts.config.asNumber,
      routerId: opts.config.routerId,
      ...(opts.config.routeReflector ? { clusterId: opts.config.routeReflector.clusterId } : {}),
      maxPaths: opts.config.multipath.maxPaths,
      encoder: wireEncoder,
    });
    // stopped for a restart: nothing more goes out, a withdrawal now would undo what the peers keep
    this.driver = new RibDriver(this.rib, (peer, msgs) => (this.stoppedForRestart ? undefined : this.byRibId.get(peer)?.session.send(msgs)), opts.batchBudget);
    this.rib.onMaxPrefixExceeded((id) => this.byRibId.get(id)?.onMaxPrefixExceeded());
    this.rib.onError((err) => this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'RIB input failed'));
  }

  /** Starts every session added so far; later additions start at once. */
  start(): void {
    this.started = true;
    for (const p of this.byName.values()) p.start();
    this.md5Watch ??= new Md5DropWatch({
      logger: this.logger,
      peers: () => this.peers().map((p) => ({ name: p.name, state: p.session.state, hasPassword: p.peer.password !== undefined })),
    });
    this.md5Watch.start();
    if (this.restart.restarting) {
      // once our restart window is over, new sessions are fresh starts again (no R/F bits)
      this.restartTimer = setTimeout(() => this.endRestartMode(), this.config.gracefulRestart.restartTime * 1000);
      this.restartTimer.unref();
    }
  }

  // ---- peers ---------------------------------------------------------------------------------

  /** The new peer's runtime; undefined once stopped for a restart (nothing is added then). */
  addPeer(peer: SpeakerPeer): PeerRuntime | undefined {
    if (this.ignoredAfterStop('addPeer', peer.name)) return undefined;
    if (this.byName.has(peer.name)) throw new Error(`peer ${peer.name} already exists`);
    const id = this.rib.addPeer(ribPeerConfig(peer, this.policies));
    const host: PeerHost = {
      rib: this.rib,
      driver: this.driver,
      logger: this.logger,
      node: this.config,
      restart: this.restart,
      outputDrained: () => this.outputDrained(),
      ...(this.opts.sessionOptions ? { sessionOptions: this.opts.sessionOptions } : {}),
    };
    const rt = new PeerRuntime(host, peer, id);
    this.byName.set(peer.name, rt);
    this.byRibId.set(id, rt);
    // with a password, the listener puts the peer's TCP-MD5 key on its socket (removed by unregister)
    this.listener?.register(rt.acceptor, peer.password !== undefined ? { password: peer.password, name: peer.name } : {});
    if (this.started) rt.start();
    this.logger.info({ peer: peer.name, address: peer.address, as: peer.asNumber, type: peer.type }, 'peer added');
    return rt;
  }

  /** Cease/3 (Peer De-configured is what the peer sees as the shutdown text) and forget its routes. */
  async removePeer(name: string, reason = 'peer de-configured'): Promise<boolean> {
    if (this.ignoredAfterStop('removePeer', name)) return false;
    const rt = this.byName.get(name);
    if (!rt) return false;
    this.byName.delete(name);
    this.listener?.unregister(rt.acceptor);
    await rt.shutdown(reason);
    this.byRibId.delete(rt.ribId);
    this.rib.removePeer(rt.ribId);
    this.driver.kick();
    this.logger.info({ peer: name }, 'peer removed');
    return true;
  }

  /** Session parameters changed: only this peer's session is restarted. */
  async replacePeer(peer: SpeakerPeer): Promise<void> {
    if (this.ignoredAfterStop('replacePeer', peer.name)) return;
    await this.removePeer(peer.name, 'configuration changed');
    this.addPeer(peer);
  }

  /**
   * New settings for an existing peer: a policy-only change keeps the session (refreshPeer), any
   * other change restarts just this session (replacePeer); an unknown peer is added.
   */
  async updatePeer(peer: SpeakerPeer): Promise<'added' | 'refreshed' | 'reset' | 'unchanged'> {
    if (this.ignoredAfterStop('updatePeer', peer.name)) return 'unchanged';
    const rt = this.byName.get(peer.name);
    if (!rt) {
      this.addPeer(peer);
      return 'added';
    }
    const strip = (p: SpeakerPeer): SpeakerPeer => ({ ...p, importPolicy: [], exportPolicy: [] });
    if (!sameSettings(strip(rt.peer), strip(peer))) {
      await this.replacePeer(peer);
      return 'reset';
    }
    if (sameSettings([rt.peer.importPolicy, rt.peer.exportPolicy], [peer.importPolicy, peer.exportPolicy])) return 'unchanged';
    this.refreshPeer(peer);
    return 'refreshed';
  }

  /** Only policies changed: re-run export at once, ask the peer to re-send for import. */
  refreshPeer(peer: SpeakerPeer): void {
    if (this.ignoredAfterStop('refreshPeer', peer.name)) return;
    const rt = this.byName.get(peer.name);
    if (!rt) return;
    (rt as { peer: SpeakerPeer }).peer = peer;
    const cfg = ribPeerConfig(peer, this.policies);
    this.rib.setPolicies(rt.ribId, { importPolicy: cfg.importPolicy, exportPolicy: cfg.exportPolicy });
    this.driver.kick();
    rt.session.refresh();
  }

  /** New policy definitions (reload); peers pick them up through refreshPeer/addPeer. */
  setPolicies(list: readonly PolicyConfig[]): void {
    this.policies = mapPolicies(list);
    this.config = { ...this.config, policies: [...list] };
  }

  /**
   * The node-to-node mesh: the caller (node registry) gives the full list; peers not in it are
   * removed, new ones added, the others left alone.
   */
  async setMeshPeers(list: readonly MeshPeerInput[]): Promise<void> {
    if (this.ignoredAfterStop('setMeshPeers', `${list.length} nodes`)) return;
    const wanted = new Map(list.map((m) => {
      const p = meshPeer(this.config, m);
      return [p.name, p] as const;
    }));
    for (const rt of [...this.byName.values()]) {
      if ((rt.peer.type === 'mesh' || rt.peer.type === 'rr') && rt.peer.name.startsWith('Mesh_') && !wanted.has(rt.name)) {
        await this.removePeer(rt.name, 'node left the mesh');
      }
    }
    for (const [name, p] of wanted) if (!this.byName.has(name)) this.addPeer(p);
  }

  peer(nameOrAddress: string): PeerRuntime | undefined {
    const direct = this.byName.get(nameOrAddress);
    if (direct) return direct;
    const addr = normalizeAddress(nameOrAddress);
    return [...this.byName.values()].find((p) => normalizeAddress(p.peer.address) === addr);
  }

  peers(): PeerRuntime[] {
    return [...this.byName.values()];
  }

  // ---- origination ---------------------------------------------------------------------------

  /**
   * `attrs` (communities) apply to the prefix whoever else originates it too: given, they replace the
   * ones it was announced with (re-announced only if they differ); omitted, they stay as they are.
   */
  originate(prefix: string, source = 'api', attrs?: OriginAttributes): void {
    if (this.ignoredAfterStop('originate', prefix)) return;
    const sources = this.originated.get(prefix);
    const json = attrs === undefined ? undefined : JSON.stringify(attrs);
    if (sources) {
      sources.add(source);
      if (json === undefined || json === this.originAttrs.get(prefix)) return;
    } else this.originated.set(prefix, new Set([source]));
    const afi = afiOfPrefix(prefix);
    // the RIB replaces the local path of a prefix in place (upsert), so a new attribute set is one update
    this.rib.originate(afi, prefixKey(afi, prefix), attrs ?? {});
    if (json !== undefined) this.originAttrs.set(prefix, json);
    this.driver.kick();
  }

  withdraw(prefix: string, source = 'api'): void {
    if (this.ignoredAfterStop('withdraw', prefix)) return;
    const sources = this.originated.get(prefix);
    if (!sources || !sources.delete(source) || sources.size > 0) return;
    const afi = afiOfPrefix(prefix);
    this.rib.withdrawLocal(afi, prefixKey(afi, prefix));
    this.originated.delete(prefix);
    this.originAttrs.delete(prefix);
    this.driver.kick();
  }

  /** Makes the prefixes originated on behalf of `source` exactly `prefixes` (config: start and reload). */
  setOriginated(prefixes: readonly string[], source = 'config'): void {
    if (this.ignoredAfterStop('setOriginated', source)) return;
    const want = new Set(prefixes);
    for (const [p, sources] of [...this.originated]) if (sources.has(source) && !want.has(p)) this.withdraw(p, source);
    for (const p of want) this.originate(p, source);
  }

  originatedPrefixes(): string[] {
    return [...this.originated.keys()];
  }

  /** Best-route changes (the forwarding view), for the route programmer. */
  onBestChange(cb: (changes: BestChange[]) => void): void {
    this.rib.onBestChange(cb);
  }

  // ---- shutdown ------------------------------------------------------------------------------

  /** Cease/Administrative Shutdown with `reason` to every peer, in parallel. */
  async shutdown(reason: string): Promise<void> {
    clearTimeout(this.restartTimer);
    this.md5Watch?.stop();
    await Promise.all([...this.byName.values()].map((p) => p.shutdown(reason)));
  }

  /**
   * Stop for a restart (RFC 4724, restarting side), the graceful counterpart of shutdown(): no
   * NOTIFICATION, no further UPDATE (a withdrawal now would undo the point), input ignored, every timer
   * of every session stopped (no KEEPALIVE, no Hold Timer NOTIFICATION), every write dropped. The TCP
   * connections are left to the process exit, where the kernel closes them (FIN, or RST with unread
   * input): a peer that negotiated graceful restart sees the transport fail and keeps our routes as
   * stale for our restart time, where a Cease would make it flush them at once. Peers that did not
   * negotiate graceful restart drop our routes either way: they get the Cease with `reason`, so they
   * at least learn why. From here on the calls that change peers or routes (add/remove/replace/update/
   * refresh peers, mesh, originate/withdraw) do nothing: the rest of the stop (the node agent's last
   * sync) must not reach a peer or open a connection.
   */
  async stopForRestart(reason: string): Promise<void> {
    this.stoppedForRestart = true;
    clearTimeout(this.restartTimer);
    this.md5Watch?.stop();
    await Promise.all([...this.byName.values()].map((p) => p.stopForRestart(reason)));
  }

  /** True (and a debug line) when `op` comes after stopForRestart and must do nothing. */
  private ignoredAfterStop(op: string, what: string): boolean {
    if (!this.stoppedForRestart) return false;
    this.logger.debug({ op, what }, 'stopped for a restart: ignored');
    return true;
  }

  /** Waits for every session whose send buffer is full (a closed one counts as drained). */
  async outputDrained(): Promise<void> {
    for (;;) {
      const full = [...this.byName.values()].filter((p) => p.session.writableNeedDrain);
      if (full.length === 0) return;
      await Promise.all(full.map((p) => p.session.drained()));
    }
  }

  private endRestartMode(): void {
    this.restart.restarting = false;
    for (const rt of this.byName.values()) {
      const gr = rt.session.config.gracefulRestart;
      if (gr) {
        gr.restarting = false;
        gr.forwardingPreserved = false;
      }
    }
    this.logger.info({}, 'graceful restart window over');
  }
}
