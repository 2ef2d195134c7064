// The agent's peer source when the datastore is Kubernetes: follows Node objects and the BGPPeer and
// BGPConfiguration CRDs with client-node informers (list + watch, relist on 410) and recomputes the
// whole desired peer set on every event, so the agent only ever sees the resulting differences.
// Load this file lazily (`await import('./k8s-source')`, as node-services does): file/etcd deployments then
// never load client-node (~400 ms, deps.md). The import here is static on purpose: in bgpd's CJS bundle
// it becomes a require() that honours NODE_PATH, which a dynamic import() of a package does not.
import { CoreV1Api, CustomObjectsApi, makeInformer } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { loadKubeConfig, type InformerCache } from './k8s-client';
import type { Logger } from '../session/peer-config';
import { silentLogger } from '../session/peer-config';
import type { ConfigFileField } from '../../config/types';
import { ADDRESS_ANNOTATION, AS_ANNOTATION, clusterNode, clusterPeers } from './k8s-peers';
import { parseBgpFilter } from './k8s-filters';
import type { ParsedFilter } from './k8s-filters';
import { parseBgpPeer } from './k8s-peer-settings';
import { PEER_PASSWORD, passwordLookup, secretsNamespace } from './k8s-secrets';
import type { PasswordLookup, SecretObject } from './k8s-secrets';
import { annotationAs, expectedAs, localAsFor } from './k8s-local-as';
import { MeshPassword, withMeshPassword } from './k8s-mesh-password';
import { resolveBgpConfig } from './k8s-bgpconfig';
import type { FileBgpSettings, NodeBgpConfig } from './k8s-bgpconfig';
import { finishPeers, meshPorts, otherFamilyPeers, reflectorPeersV6 } from './k8s-families';
import { advertisementsFor } from './k8s-services';
import type { Advertisements } from './k8s-services';
import type { ClusterPeer, CrdObject, NodeObject } from './k8s-peers';
import { refOf } from './k8s-problems';
import type { ObjectProblems, ProblemReporter, ReportedKind } from './k8s-problems';

/** Group/version/plural as in deploy/crds/. */
const GROUP = 'tortie.dev';
const VERSION = 'v1';

export interface KubernetesClusterSourceOptions {
  /** A loaded KubeConfig, or a kubeconfig path; omitted = in-cluster / $KUBECONFIG / ~/.kube/config. */
  kubeConfig?: KubeConfig | string;
  /** This node's Node object name. */
  nodeName: string;
  /** Used where no BGPConfiguration `default` exists or it omits a field (the node's own config). */
  defaults: FileBgpSettings;
  /** BGPConfiguration fields ignored in favour of `defaults` (config `kubernetes.configFileWins`). */
  configFileWins?: readonly ConfigFileField[];
  family?: 4 | 6;
  /** Meshes to build, e.g. [4, 6] on a dual-stack node; overrides `family`. Node problems are reported for the first. */
  families?: readonly (4 | 6)[];
  /** The config file's peers for this node: a Kubernetes peer with the same name or address is left out. */
  configPeers?: readonly { name: string; address: string }[];
  /** Called with the node's effective BGPConfiguration whenever it changes (log level, listen port). */
  onConfig?: (cfg: NodeBgpConfig) => void;
  logger?: Logger;
  /** Delay before restarting an informer whose watch failed. Default 1 s. */
  retryMs?: number;
  /** Told, after each recomputation, what is wrong (or right again) with every object read. */
  reporter?: ProblemReporter;
  /** Namespace of the Secrets BGPPeer passwords name. Default env POD_NAMESPACE, else tortie-system. */
  secretsNamespace?: string;
  /** The mesh hold time (config timers.holdTime), which a BGPPeer's keepaliveTime alone must stay below. Default 90. */
  meshHoldTime?: number;
  /**
   * The AS this bgpd runs with (picked at start, k8s-startup.ts). When the cluster later says otherwise it
   * is logged as an error and reported on the Node / BGPConfiguration: it takes effect only on restart.
   * Omitted = not checked.
   */
  localAs?: number;
}

type Cache = InformerCache;

export class KubernetesClusterSource {
  private readonly opts: KubernetesClusterSourceOptions;
  private readonly log: Logger;
  private informers: Cache[] = [];
  // BGPPeer details: Secrets of one namespace (passwords) and BGPFilters, beside the positional three
  private secretsInf: Cache | undefined;
  private filtersInf: Cache | undefined;
  // the informer cache keeps an unchanged object's identity: parse each BGPFilter once, not on every
  // event (200 filters × 20 rules cost 20 ms CPU per recomputation, test/k8s/bgppeer-settings-measure.ts)
  private readonly parsedFilters = new WeakMap<object, ParsedFilter>();
  /** Which of the Secrets / BGPFilters informers has listed successfully at least once. */
  private readonly listed = new Set<'secrets' | 'bgpfilters'>();
  private current: ClusterPeer[] = [];
  private ads: Advertisements = { services: [], noProgram: [], prefixAdvertisements: [] };
  private configJson = '';
  private currentJson = '[]';
  private onChange: (() => void) | undefined;
  private stopped = false;
  private readonly warned = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private pending: NodeJS.Immediate | undefined;
  private readonly meshPassword = new MeshPassword();
  /** start() has seen every informer list once: before that a recomputation may lack the BGPConfigurations. */
  private listedAll = false;
  /** Which of Nodes / BGPPeers / BGPConfigurations has listed successfully (a failed list leaves its cache empty). */
  private readonly listedPeering = new Set<string>();
  /** A recomputation has seen all three listed: peers() is complete (see synced()). */
  private complete = false;

  constructor(opts: KubernetesClusterSourceOptions) {
    this.opts = opts;
    this.log = opts.logger ?? silentLogger;
  }

  /** Lists everything once (the first `peers()` is complete when this resolves), then follows changes. */
  async start(onChange: () => void): Promise<void> {
    this.onChange = onChange;
    const kc = loadKubeConfig(this.opts.kubeConfig);
    const core = kc.makeApiClient(CoreV1Api);
    const co = kc.makeApiClient(CustomObjectsApi);
    // start() resolves even when a list fails (client-node reports it as an 'error' event): only a list
    // that succeeded says the peer set is complete
    const peering = <T>(what: string, list: () => Promise<T>) => (): Promise<T> =>
      list().then((r) => {
        if (!this.listedPeering.has(what)) this.schedule();
        this.listedPeering.add(what);
        return r;
      });
    const crd = (plural: string): Cache =>
      makeInformer<KubernetesObject>(kc, `/apis/${GROUP}/${VERSION}/${plural}`, peering(plural, () =>
        co.listClusterCustomObject({ group: GROUP, version: VERSION, plural }) as never,
      )) as unknown as Cache;
    this.informers = [
      makeInformer(kc, '/api/v1/nodes', peering('nodes', () => core.listNode())) as unknown as Cache,
      crd('bgppeers'),
      crd('bgpconfigurations'),
    ];
    const ns = this.secretsNs();
    // client-node reports a failed list as an 'error' event (then retried below), never by rejecting
    // start(): a successful list is what says these two are readable
    const listed = <T>(what: 'secrets' | 'bgpfilters', list: Promise<T>): Promise<T> =>
      list.then((r) => {
        if (!this.listed.has(what)) this.schedule();
        this.listed.add(what);
        this.warned.delete(`watch ${what === 'secrets' ? `secrets in ${ns}` : what}`);
        return r;
      });
    this.secretsInf = makeInformer(kc, `/api/v1/namespaces/${ns}/secrets`, () => listed('secrets', core.listNamespacedSecret({ namespace: ns }))) as unknown as Cache;
    this.filtersInf = makeInformer<KubernetesObject>(kc, `/apis/${GROUP}/${VERSION}/bgpfilters`, () =>
      listed('bgpfilters', co.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'bgpfilters' })) as never,
    ) as unknown as Cache;
    this.informers.push(this.secretsInf, this.filtersInf);
    for (const inf of this.informers) {
      for (const ev of ['add', 'update', 'delete']) inf.on(ev, () => this.schedule());
      inf.on('error', (err) => this.restartLater(inf, err));
    }
    // Secrets and BGPFilters may be unreadable (no RBAC for Secrets, BGPFilter CRD not installed yet):
    // everything else still runs; BGPPeers that need them stay unconfigured, with a problem saying why,
    // until a retry lists them
    await Promise.all(this.informers.map((i) => i.start()));
    this.listedAll = true;
    this.recompute();
  }

  // A (re)list delivers one event per object in a burst: one recomputation per burst, not per object
  // (per object made start() quadratic — 3.7 s at 3000 nodes).
  private schedule(): void {
    this.pending ??= setImmediate(() => {
      this.pending = undefined;
      this.recompute();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pending) clearImmediate(this.pending);
    for (const t of this.retryTimers) clearTimeout(t);
    await Promise.all(this.informers.map((i) => i.stop().catch(() => undefined)));
  }

  /** The sessions this node should have now, sorted by name. */
  peers(): ClusterPeer[] {
    return this.current;
  }

  /**
   * Whether peers() is complete: Nodes, BGPPeers and BGPConfigurations have each listed successfully
   * and been recomputed from. Until then an empty peers() means "not known yet" (/readyz waits).
   */
  synced(): boolean {
    return this.complete;
  }

  /** Service CIDRs to originate, ranges not to program, communities (from the BGPConfigurations). */
  advertisements(): Advertisements {
    return this.ads;
  }

  private restartLater(inf: Cache, err: unknown): void {
    const msg = (err as Error | undefined)?.message ?? String(err);
    // the optional two may fail for as long as RBAC or the CRD is missing: warn once until they list
    const optional = inf === this.secretsInf ? `secrets in ${this.secretsNs()}` : inf === this.filtersInf ? 'bgpfilters' : undefined;
    if (optional === undefined) this.log.warn({ err: msg }, 'kubernetes watch failed; restarting');
    else if (!this.warned.has(`watch ${optional}`)) {
      this.warned.add(`watch ${optional}`);
      this.log.warn({ err: msg }, `cannot list/watch ${optional} (retrying every ${this.opts.retryMs ?? 1000} ms; BGPPeers needing them stay unconfigured)`);
    }
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (!this.stopped) inf.start().catch((e: unknown) => this.restartLater(inf, e));
    }, this.opts.retryMs ?? 1000);
    this.retryTimers.add(t);
  }

  private secretsNs(): string {
    return this.opts.secretsNamespace ?? secretsNamespace();
  }

  // Without a reporter the log is the only place a skipped BGPPeer/BGPFilter shows up: once per distinct
  // set of problems (problems never contain a password, k8s-secrets.ts).
  private warnUnreported(kind: string, obj: CrdObject, problems: readonly string[]): void {
    if (this.opts.reporter || problems.length === 0) return;
    const key = `${kind} ${obj.metadata?.name} ${problems.join(' ')}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn({ kind, name: obj.metadata?.name, problems }, `${kind} ${obj.metadata?.name} not used: ${problems.join('; ')}`);
  }

  // bgpd's own AS was fixed at start (k8s-startup.ts, same precedence): a later change is reported
  // and logged, never applied — and never silently ignored
  private checkLocalAs(me: NodeObject | undefined, cfgAs: number, problemsOf: (kind: ReportedKind, name: string) => string[] | undefined): void {
    const running = this.opts.localAs;
    // a recomputation during the first lists may not have the BGPConfigurations yet: no false alarm
    if (running === undefined || !this.listedAll) return;
    const node = this.opts.nodeName;
    const want = localAsFor(me, cfgAs, this.opts.defaults.asNumber, this.opts.configFileWins);
    const expected = expectedAs(me, cfgAs);
    const restart = `bgpd runs with AS ${running} since it started; the AS changes only when bgpd restarts (restart the tortie-node pod)`;
    const ann = `metadata.annotations["${AS_ANNOTATION}"]`;
    let on: [ReportedKind, string] = ['Node', node];
    let problem: string | undefined;
    if (want.asNumber !== running) {
      if (want.from === 'BGPConfiguration') {
        on = ['BGPConfiguration', 'default'];
        problem = `spec.asNumber: ${want.asNumber}, but ${restart}`;
      } else if (want.from === 'node annotation') problem = `${ann}: ${want.asNumber}, but ${restart}`;
      // the annotation or default's asNumber it started with is gone
      else problem = `${ann}: not set and BGPConfiguration default sets no other asNumber, so this node's AS is now the config file's ${want.asNumber}, but ${restart}`;
    } else if (expected !== running) {
      // configFileWins lists asNumber here, the other nodes still read this node's annotation
      problem = `${ann}: ${expected}, but bgpd runs with the config file's AS ${running} (kubernetes.configFileWins lists asNumber): the other nodes expect AS ${expected} from this node`;
    }
    if (problem === undefined) return;
    problemsOf(...on)?.push(problem);
    if (this.warned.has(`as ${problem}`)) return;
    this.warned.add(`as ${problem}`);
    this.log.error({ kind: on[0], name: on[1], localAs: running, clusterAs: want.asNumber }, `${on[0]} ${on[1]} ${problem}`);
  }

  private recompute(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    if (this.stopped || this.informers.length < 3) return;
    // During start, events of the first informer to list arrive while the others are still listing: a
    // recomputation then would apply a partial view (no BGPConfiguration yet → the file's listen port, then
    // the cluster's: the listener moved twice at start). Wait for all three, or for start() to finish
    // (a list that keeps failing must not hold everything else back).
    if (!this.listedAll && this.listedPeering.size < 3) return;
    const [nodesInf, peersInf, cfgInf] = this.informers;
    const families = this.opts.families ?? [this.opts.family ?? 4];
    const family = families[0];
    const problems: ObjectProblems[] = [];
    const nodeObjs = nodesInf.list() as NodeObject[];
    const nodes = nodeObjs.map((n) => clusterNode(n, family));
    nodes.forEach((n, i) => {
      const noAddress = `no usable IPv${family} address (InternalIP or ${ADDRESS_ANNOTATION}): skipped`;
      const badAs = annotationAs(nodeObjs[i]).problem;
      problems.push({ ref: refOf('Node', nodeObjs[i] as never), problems: [...(n.address === undefined ? [noAddress] : []), ...(badAs ? [badAs] : [])] });
      // the Node is still used (with the BGPConfiguration's AS): not warnUnreported's "not used"
      if (badAs && !this.opts.reporter && !this.warned.has(`as-annotation ${n.name} ${badAs}`)) {
        this.warned.add(`as-annotation ${n.name} ${badAs}`);
        this.log.warn({ node: n.name }, `Node ${n.name} ${badAs}`);
      }
      if (n.address !== undefined) this.warned.delete(n.name);
      // with a reporter, it logs the problem (once) itself
      else if (!this.opts.reporter && !this.warned.has(n.name)) {
        // once per node until it gains an address: every event recomputes
        this.warned.add(n.name);
        this.log.warn({ node: n.name }, `node ${n.name} has ${noAddress}`);
      }
    });
    const peerObjs = peersInf.list() as CrdObject[];
    const filters = new Map(((this.filtersInf?.list() ?? []) as CrdObject[]).map((f) => {
      let r = this.parsedFilters.get(f);
      if (!r) this.parsedFilters.set(f, (r = parseBgpFilter(f)));
      problems.push({ ref: refOf('BGPFilter', f as never), problems: r.problems });
      this.warnUnreported('BGPFilter', f, r.problems);
      return [f.metadata?.name ?? '', r] as const;
    }));
    const ns = this.secretsNs();
    const password: PasswordLookup = this.secretsInf && this.listed.has('secrets')
      ? passwordLookup(this.secretsInf.list() as SecretObject[], ns)
      : (_ref, f = PEER_PASSWORD) => ({ problem: `${f.at}: the Secrets of namespace ${ns} cannot be listed yet (RBAC: get/list/watch secrets there); ${f.otherwise}` });
    const filtersListed = this.listed.has('bgpfilters');
    const bgpPeers = peerObjs.flatMap((p) => {
      const r = parseBgpPeer(p, { filters, password, meshHoldTime: this.opts.meshHoldTime ?? 90, ...(filtersListed ? {} : { filtersUnavailable: 'BGPFilters cannot be listed yet (is the bgpfilters.tortie.dev CRD installed?)' }) });
      problems.push({ ref: refOf('BGPPeer', p as never), problems: r.problems });
      this.warnUnreported('BGPPeer', p, r.problems);
      return r.peer ?? [];
    });
    const resolved = resolveBgpConfig(cfgInf.list() as CrdObject[], this.opts.defaults, this.opts.nodeName, this.opts.configFileWins);
    const problemsOf = (kind: ReportedKind, name: string): string[] | undefined =>
      [...problems, ...resolved.problems].find((p) => p.ref.kind === kind && p.ref.name === name)?.problems;
    const mesh = this.meshPassword.resolve(resolved.config.nodeMeshPassword, password);
    // (Secrets may simply not have listed yet during start's first lists)
    if (mesh.problem && this.listedAll) problemsOf('BGPConfiguration', 'default')?.push(mesh.problem);
    this.checkLocalAs(nodeObjs.find((o) => o.metadata?.name === this.opts.nodeName), resolved.config.asNumber, problemsOf);
    problems.push(...resolved.problems);
    // without a reporter (tests, tools) the log is the only place they show: once per object and problem set
    for (const r of this.opts.reporter ? [] : resolved.problems) {
      const key = `BGPConfiguration ${r.ref.name} ${r.problems.join(' ')}`;
      if (r.problems.length === 0 || this.warned.has(key)) continue;
      this.warned.add(key);
      this.log.warn({ kind: 'BGPConfiguration', name: r.ref.name, problems: r.problems }, `BGPConfiguration ${r.ref.name}: ${r.problems.join('; ')}`);
    }
    const kinds: ReportedKind[] = ['Node', 'BGPPeer', 'BGPConfiguration', 'BGPFilter'];
    this.opts.reporter?.report(kinds, problems);
    const cfg = resolved.config;
    const cfgJson = JSON.stringify(cfg);
    if (cfgJson !== this.configJson) {
      this.configJson = cfgJson;
      this.opts.onConfig?.(cfg);
    }
    const first = clusterPeers(nodes, bgpPeers, cfg, this.opts.nodeName, family);
    // clusterPeers applies the reflector rules to IPv4 only; an IPv6-only node needs them too
    if (family === 6) first.push(...reflectorPeersV6(nodes, first, cfg, this.opts.nodeName));
    const all = [...first, ...otherFamilyPeers(nodeObjs, bgpPeers, cfg, this.opts.nodeName, families)];
    const finished = finishPeers(all, cfg, this.opts.configPeers ?? [], meshPorts(nodeObjs, families, resolved.listenPortOf));
    const { dropped } = finished;
    const next = withMeshPassword(finished.peers, mesh.password);
    for (const p of dropped) {
      if (this.warned.has(`peer ${p.name}`)) continue;
      this.warned.add(`peer ${p.name}`);
      this.log.warn({ peer: p.name, address: p.address }, `Kubernetes peer ${p.name} left out: the config file's peers already have a session with that name or address`);
    }
    this.ads = advertisementsFor(cfg, nodes.find((n) => n.name === this.opts.nodeName)?.labels ?? {});
    const json = JSON.stringify([next, this.ads]);
    // turning complete is news even with the same peers: the agent records it on its next sync
    const becameComplete = !this.complete && this.listedPeering.size === 3;
    if (becameComplete) this.complete = true;
    if (json === this.currentJson && !becameComplete) return;
    this.current = next;
    this.currentJson = json;
    this.onChange?.();
  }
}
