// The node agent: registers this node, follows IPAM and the node registry in the datastore, and keeps
// the speaker (originated prefixes, iBGP sessions) and the route programmer (remote routes with their
// pool's encapsulation, local blocks as blackholes) in step with them. Every datastore change
// triggers one full, cheap recomputation (debounced), so missed or reordered watch events cannot leave
// stale state behind; the speaker and programmer only see the differences.
import type { Datastore, Watcher } from '../../ipam/datastore';
import { ROOT, HANDLE_PREFIX } from '../../ipam/keys';
import { listNodes, registerNode, removeNode } from '../../ipam/nodes';
import type { NodeInfo } from '../../ipam/nodes';
import { createPool, listPools } from '../../ipam/pools';
import type { PoolInput } from '../../ipam/pools';
import { Resources } from '../../ipam/resources';
import { Cidr } from '../../ipam/cidr';
import type { RemoteNextHop } from '../../dataplane/programmer/types';
import { prefixText } from '../rib/prefix-key';
import type { BestChange, NextHopSet } from '../rib/types';
import type { Logger } from '../session/peer-config';
import { silentLogger } from '../session/peer-config';
import { meshPeer } from '../speaker/peer-map';
import type { SpeakerIdentity, SpeakerPeer } from '../speaker/peer-map';
import { PoolIndex } from './encap';
import { insideAny, originAttributes, SERVICE_SOURCE } from './k8s-services';
import type { Advertisements } from './k8s-services';
import { localState, poolUsage } from './local-state';
import type { PoolUsage } from './local-state';
import { applyOverrides, overridesSignature } from './peer-overrides';
import type { OverridesSignature, PeerOverrides } from './peer-overrides';
import { desiredPeers } from './peer-set';
import type { AgentProgrammer, AgentSpeaker, AgentStats, DesiredPeer } from './types';

/** The speaker's origination source for pod blocks and borrowed /32s (config prefixes are 'config'). */
const ORIGIN_SOURCE = 'ipam';

export interface AgentOptions {
  ds: Datastore;
  speaker: AgentSpeaker;
  /** Omit to run BGP only (no kernel routes), e.g. on a route-reflector-only node. */
  programmer?: AgentProgrammer;
  /** This node as it is registered (name, address, AS, RR cluster id, VTEP). */
  node: NodeInfo;
  /** Timers, graceful restart, AS, mesh on/off for the sessions the agent creates. */
  identity: SpeakerIdentity;
  /** Pools from the config, created in the datastore when no pool with that CIDR exists. */
  pools?: readonly PoolInput[];
  /** Pool CIDRs whose blocks are routed locally but not advertised (config `disableBGPExport`). */
  noExport?: readonly string[];
  logger?: Logger;
  /** Coalesces bursts of datastore events. Default 20 ms. */
  debounceMs?: number;
  /**
   * Full re-read period, for watch events a store may lose (the file store's cross-process lock is
   * per network namespace, so writers in different namespaces can reuse a revision). Default 5 s; 0 = off.
   */
  resyncMs?: number;
  /**
   * Where the peer set comes from instead of the node registry (the Kubernetes datastore: Node objects,
   * BGPPeer and BGPConfiguration CRDs — k8s-source.ts). `start` calls back on every change.
   */
  peerSource?: PeerSource;
}

/** A desired session with optional per-peer settings (explicit BGPPeers: transport, timers, password, filters). */
export type SourcedPeer = DesiredPeer & { port?: number; passive?: boolean; overrides?: PeerOverrides };

export interface PeerSource {
  start(onChange: () => void): Promise<void>;
  stop(): Promise<void>;
  peers(): readonly SourcedPeer[];
  /** Service CIDRs to originate, ranges never to program, communities per range (BGPConfiguration). */
  advertisements?(): Advertisements;
  /** False until peers() is complete (every list done once); calls back through `start`'s onChange when it turns true. Default: true. */
  synced?(): boolean;
}

function peerSignature(p: SourcedPeer): OverridesSignature {
  const o = overridesSignature(p.overrides);
  return { ...o, session: `${p.address}|${p.asNumber}|${p.role}|${p.port ?? ''}|${p.passive ?? ''}|${o.session}` };
}

export class Agent {
  private readonly opts: AgentOptions;
  private readonly log: Logger;
  private watcher: Watcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  private nodes: NodeInfo[] = [];
  private pools = new PoolIndex([]);
  private poolsJson = '[]';
  private readonly originated = new Set<string>();
  /** pod prefix / service CIDR → the attributes it was originated with (JSON), to re-announce on change */
  private readonly originSig = new Map<string, string>();
  private readonly services = new Set<string>();
  private noProgram: Cidr[] = [];
  private noProgramJson = '[]';
  /** known best routes inside a service range, so not handed to the programmer */
  private readonly heldBack = new Set<string>();
  private readonly localBlocks = new Set<string>();
  private readonly peers = new Map<string, OverridesSignature>(); // name → signature
  /** remote prefix → best paths; only kept (and only counted in stats) when there is a programmer */
  private readonly best = new Map<string, NextHopSet>();
  /** next-hop address → node, rebuilt when the node list changes (program() runs once per route) */
  private nodeByAddress: Map<string, NodeInfo> | undefined;
  private usage: PoolUsage[] = [];
  private syncs = 0;
  private syncErrors = 0;
  private lastSyncError: string | null = null;
  private readonly synced: (() => void)[] = [];
  /** A sync has applied a complete peer list from the peer source (for /readyz: no peers then means none). */
  private peersComplete = false;

  constructor(opts: AgentOptions) {
    this.opts = opts;
    this.log = opts.logger ?? silentLogger;
  }

  /** Registers the node, creates configured pools, subscribes, and completes the first sync. */
  async start(): Promise<void> {
    const { ds, node } = this.opts;
    await registerNode(ds, node);
    await this.ensurePools();
    // without a programmer (kernelRoutes off, or no underlay here) the best-route feed has no
    // consumer: subscribing would keep a prefix string and a NextHopSet per route for nothing
    // (~300 B/route at 1M routes) and make the RIB build the change list at all
    if (this.opts.programmer) this.opts.speaker.onBestChange((changes) => this.onBestChange(changes));
    // subscribe before the first read: an event in between triggers one more sync instead of being lost
    this.watcher = ds.watch(`${ROOT}/`, {
      onEvent: (ev) => {
        if (!ev.key.startsWith(HANDLE_PREFIX)) this.schedule();
      },
      onError: (err) => {
        this.syncErrors++;
        this.lastSyncError = err.message;
        this.log.warn({ err: err.message }, 'datastore watch error');
        this.schedule();
      },
    });
    await this.opts.peerSource?.start(() => this.schedule());
    await this.syncNow();
    const every = this.opts.resyncMs ?? 5000;
    if (every > 0) {
      this.resyncTimer = setInterval(() => this.schedule(), every);
      this.resyncTimer.unref();
    }
  }

  /** Stops following the datastore; with `deregister` the node also leaves the registry. */
  async stop(opts: { deregister?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
    this.watcher?.close();
    await this.opts.peerSource?.stop();
    await this.running?.catch(() => {});
    if (opts.deregister) await removeNode(this.opts.ds, this.opts.node.name);
  }

  /** Runs a sync now (or after the one in progress) and resolves when state reflects the datastore. */
  syncNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const done = new Promise<void>((resolve) => this.synced.push(resolve));
    this.kick();
    return done;
  }

  stats(): AgentStats {
    return {
      nodes: this.nodes.length,
      localBlocks: this.localBlocks.size,
      borrowedAddresses: this.originated.size - this.localBlocks.size,
      meshPeers: this.peers.size,
      remoteRoutes: this.best.size - this.heldBack.size,
      syncs: this.syncs,
      syncErrors: this.syncErrors,
      lastSyncError: this.lastSyncError,
      ipam: this.usage.map((u) => ({ ...u })),
    };
  }

  /** Prefixes the agent currently originates (blocks and borrowed host routes). */
  originatedPrefixes(): string[] {
    return [...this.originated].sort();
  }

  /** The speaker has the peer source's complete peer set (its first sync applied); always true without a peer source. */
  peersSynced(): boolean {
    return this.opts.peerSource === undefined || this.peersComplete;
  }

  /** Names of the iBGP sessions the agent manages. */
  peerNames(): string[] {
    return [...this.peers.keys()].sort();
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.opts.debounceMs ?? 20);
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const waiting = this.synced.splice(0);
        try {
          await this.sync();
          this.lastSyncError = null;
        } catch (err) {
          this.syncErrors++;
          this.lastSyncError = (err as Error).message;
          this.log.error({ err: (err as Error).message }, 'agent sync failed; retrying');
          if (!this.stopped) setTimeout(() => this.schedule(), 1000).unref();
        }
        for (const w of waiting) w();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
      // a syncNow() that arrived during the last round's await
      if (this.synced.length > 0 && !this.stopped) this.kick();
    });
  }

  private async ensurePools(): Promise<void> {
    const wanted = this.opts.pools ?? [];
    if (wanted.length === 0) return;
    const have = (await listPools(this.opts.ds)).map((p) => Cidr.parse(p.value.cidr)?.toString());
    for (const p of wanted) {
      if (have.includes(Cidr.parse(p.cidr)?.toString())) continue;
      try {
        await createPool(this.opts.ds, p);
        this.log.info({ cidr: p.cidr }, 'created IP pool from configuration');
      } catch (err) {
        // another node created it at the same moment, or it overlaps an existing pool: keep theirs
        this.log.warn({ cidr: p.cidr, err: (err as Error).message }, 'configured pool not created');
      }
    }
  }

  private async sync(): Promise<void> {
    const { ds, speaker, programmer, node } = this.opts;
    const res = new Resources(ds);
    const [nodes, pools, blocks, affinities] = await Promise.all([
      listNodes(ds),
      listPools(ds).then((l) => l.map((p) => p.value)),
      res.listBlocks(),
      res.listAffinities().then((l) => l.map((a) => a.value)),
    ]);
    if (this.stopped) return;
    this.syncs++;
    const nodesChanged = JSON.stringify(nodes) !== JSON.stringify(this.nodes);
    const poolsJson = JSON.stringify(pools);
    const poolsChanged = poolsJson !== this.poolsJson;
    this.poolsJson = poolsJson;
    this.nodes = nodes;
    if (nodesChanged) this.nodeByAddress = undefined;
    this.pools = new PoolIndex(pools);
    this.usage = poolUsage(pools, blocks);

    const local = localState(node.name, blocks, affinities);
    const noExport = (this.opts.noExport ?? []).flatMap((c) => Cidr.parse(c) ?? []);
    const exported = (p: string): boolean => {
      const c = Cidr.parse(p, false);
      return !c || !noExport.some((n) => n.containsCidr(c));
    };
    const originate = new Set([...local.blocks, ...local.borrowed].filter(exported));
    const ads = this.opts.peerSource?.advertisements?.();
    for (const p of [...this.originated]) {
      if (!originate.has(p)) {
        speaker.withdraw(p, ORIGIN_SOURCE);
        this.originated.delete(p);
        this.originSig.delete(p);
        this.log.info({ prefix: p }, 'withdrawing pod prefix');
      }
    }
    for (const p of originate) {
      const attrs = ads ? originAttributes(p, ads.prefixAdvertisements) : undefined;
      const sig = attrs ? JSON.stringify(attrs) : '';
      if (!this.originated.has(p) || this.originSig.get(p) !== sig) {
        speaker.originate(p, ORIGIN_SOURCE, attrs);
        if (!this.originated.has(p)) this.log.info({ prefix: p }, 'originating pod prefix');
        this.originated.add(p);
        this.originSig.set(p, sig);
      }
    }
    this.syncServices(ads);
    const blockSet = new Set(local.blocks);
    for (const b of [...this.localBlocks]) {
      if (!blockSet.has(b)) {
        programmer?.removeLocalBlock(b);
        this.localBlocks.delete(b);
      }
    }
    for (const b of blockSet) {
      if (!this.localBlocks.has(b)) {
        programmer?.setLocalBlock({ prefix: b });
        this.localBlocks.add(b);
      }
    }

    const complete = this.opts.peerSource?.synced?.() ?? true;
    await this.syncPeers(this.opts.peerSource?.peers() ?? desiredPeers(node.name, nodes, { mesh: this.opts.identity.nodeToNodeMesh, asNumber: this.opts.identity.asNumber }));
    if (complete) this.peersComplete = true;
    // next hops map to nodes (VTEPs) and prefixes to pools: both may have changed under known routes
    if (nodesChanged || poolsChanged) for (const [prefix, set] of this.best) this.program(prefix, set);
  }

  // service CIDRs from the BGPConfiguration: originated under their own source so pod-block changes
  // and config reloads never touch them; changing the excluded ranges re-decides every known route
  private syncServices(ads: Advertisements | undefined): void {
    const { speaker } = this.opts;
    const want = new Map((ads?.services ?? []).map((p) => [p, originAttributes(p, ads!.prefixAdvertisements)] as const));
    for (const p of [...this.services]) {
      if (want.has(p)) continue;
      speaker.withdraw(p, SERVICE_SOURCE);
      this.services.delete(p);
      this.originSig.delete(`svc ${p}`);
      this.log.info({ prefix: p }, 'withdrawing service CIDR');
    }
    for (const [p, attrs] of want) {
      const sig = JSON.stringify(attrs);
      if (this.services.has(p) && this.originSig.get(`svc ${p}`) === sig) continue;
      speaker.originate(p, SERVICE_SOURCE, attrs);
      if (!this.services.has(p)) this.log.info({ prefix: p }, 'originating service CIDR');
      this.services.add(p);
      this.originSig.set(`svc ${p}`, sig);
    }
    const json = JSON.stringify(ads?.noProgram ?? []);
    if (json === this.noProgramJson) return;
    this.noProgramJson = json;
    this.noProgram = (ads?.noProgram ?? []).flatMap((c) => Cidr.parse(c) ?? []);
    for (const [prefix, set] of this.best) this.program(prefix, set);
  }

  private async syncPeers(want: readonly SourcedPeer[]): Promise<void> {
    const wanted = new Map(want.map((p) => [p.name, p]));
    for (const [name, sig] of [...this.peers]) {
      const w = wanted.get(name);
      const next = w ? peerSignature(w) : undefined;
      if (next && next.session === sig.session && next.import === sig.import) {
        if (next.export === sig.export) continue;
        // only the export filters changed: the RIB re-runs export at once, no session reset. An import
        // change re-creates the session: a peer without route refresh would never re-send what it
        // already sent, so the new import policy would miss those routes
        const refresh = this.opts.speaker.refreshPeer?.bind(this.opts.speaker);
        if (refresh) {
          refresh(this.speakerPeer(w!));
          this.peers.set(name, next);
          this.log.info({ peer: name }, 'export policy changed; applied without a session reset');
          continue;
        }
      }
      await this.opts.speaker.removePeer(name, w ? 'peer configuration changed' : 'peer no longer configured');
      this.peers.delete(name);
    }
    for (const p of want) {
      if (this.peers.has(p.name)) continue;
      this.opts.speaker.addPeer(this.speakerPeer(p));
      this.peers.set(p.name, peerSignature(p));
      this.log.info({ peer: p.name, role: p.role }, 'node-to-node session added');
    }
  }

  private speakerPeer(p: SourcedPeer): SpeakerPeer {
    const mp = meshPeer(this.opts.identity, { address: p.address, name: p.name, type: p.role === 'rr' ? 'rr' : 'mesh', ...(p.port !== undefined ? { port: p.port } : {}) });
    const base = applyOverrides(p.passive ? { ...mp, passive: true } : mp, p.overrides);
    return p.role === 'rr-client'
      ? { ...base, asNumber: p.asNumber, routeReflectorClient: true, type: 'rr-client' }
      : { ...base, asNumber: p.asNumber };
  }

  private onBestChange(changes: BestChange[]): void {
    for (const c of changes) {
      const prefix = prefixText(c.afi, c.prefix);
      if (c.best === null || c.best.local) {
        this.heldBack.delete(prefix);
        if (this.best.delete(prefix)) this.opts.programmer?.removeRemote(prefix);
        continue;
      }
      this.best.set(prefix, c.best);
      this.program(prefix, c.best);
    }
  }

  private program(prefix: string, set: NextHopSet): void {
    // Calico's reject CIDRs: service ranges are reached through kube-proxy on every node, never via a peer
    if (this.noProgram.length > 0 && insideAny(prefix, this.noProgram)) {
      this.heldBack.add(prefix);
      this.opts.programmer?.removeRemote(prefix);
      return;
    }
    this.heldBack.delete(prefix);
    const byAddress = (this.nodeByAddress ??= new Map(this.nodes.flatMap((n) => [n.ipv4, n.ipv6].filter((a) => a !== undefined).map((a) => [a, n] as const))));
    const nextHops: RemoteNextHop[] = set.nextHops.map((h) => {
      const n = byAddress.get(h.address);
      return {
        address: h.address,
        ...(n ? { node: n.name } : {}),
        ...(n?.vxlanVtep && n.vxlanMac ? { vtep: { ip: n.vxlanVtep, mac: n.vxlanMac } } : {}),
      };
    });
    this.opts.programmer?.setRemote({ prefix, nextHops, encap: this.pools.encapOf(prefix) });
  }
}

