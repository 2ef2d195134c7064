// Watches IPPool objects (Kubernetes datastore) and reports what IPAM will not use and why: what the CRD
// schema cannot say (host bits in the CIDR, a blockSize outside the family's range or larger than the pool,
// a nodeSelector that does not parse, IPIP on IPv6) and overlaps with a pool that came first. The verdicts
// come from ipam/pools.ts checkPools, the same function IPAM's listPools filters with, so what is reported
// as invalid is exactly what the allocator skips.
// Load lazily (`await import('./k8s-ippools')`): client-node costs ~400 ms to load.
import { CustomObjectsApi, makeInformer } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { loadKubeConfig, type InformerCache } from './k8s-client';
import { checkPools, type PoolCandidate, type PoolInput } from '../../ipam/pools';
import { DELETED_ANNOTATION } from '../../ipam/store/kubernetes-kinds';
import type { Logger } from '../session/peer-config';
import { silentLogger } from '../session/peer-config';
import { refOf } from './k8s-problems';
import type { ObjectProblems, ProblemReporter } from './k8s-problems';

const GROUP = 'tortie.dev';
const VERSION = 'v1';

/** An IPPool as read from the API (spec unchecked). */
export interface IpPoolObject {
  apiVersion?: string;
  metadata?: {
    name?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string | Date;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: unknown;
}

/** Every IPPool with its problems (empty = IPAM uses it), in the order given. */
export function ipPoolProblems(objs: readonly IpPoolObject[]): ObjectProblems[] {
  // an object the Kubernetes store marked deleted is already gone for IPAM
  const live = objs.filter((o) => o.metadata?.annotations?.[DELETED_ANNOTATION] !== 'true');
  const cands: PoolCandidate[] = live.map((o) => {
    const spec = o.spec ?? {};
    // tortie writes spec.name (it can differ from a hashed object name); kubectl-made pools have only metadata
    const name = typeof spec.name === 'string' ? spec.name : (o.metadata?.name ?? '');
    const ts = o.metadata?.creationTimestamp;
    const created = ts === undefined ? NaN : new Date(ts).getTime();
    // uid as IPAM's tie-break too, so the report and the allocator rank equal-second pools alike
    const uid = o.metadata?.uid;
    return { name, input: { ...spec, name } as unknown as PoolInput, ...(Number.isFinite(created) ? { created } : {}), ...(uid ? { uid } : {}) };
  });
  return checkPools(cands).map((c, i) => ({
    ref: refOf('IPPool', live[i] as never),
    problems: c.problems.map((p) => `spec.${p.field}: ${p.message}`),
  }));
}

export interface KubernetesIpPoolWatcherOptions {
  /** A loaded KubeConfig, or a kubeconfig path; omitted = in-cluster / $KUBECONFIG / ~/.kube/config. */
  kubeConfig?: KubeConfig | string;
  reporter: ProblemReporter;
  logger?: Logger;
  /** Delay before restarting a failed watch. Default 1 s. */
  retryMs?: number;
}

type Cache = InformerCache;

export class KubernetesIpPoolWatcher {
  private informer: Cache | undefined;
  private pending: NodeJS.Immediate | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly opts: KubernetesIpPoolWatcherOptions) {
    this.log = opts.logger ?? silentLogger;
  }

  /** Lists the pools (and reports them) once, then follows changes. */
  async start(): Promise<void> {
    const kc = loadKubeConfig(this.opts.kubeConfig);
    const co = kc.makeApiClient(CustomObjectsApi);
    const inf = makeInformer<KubernetesObject>(kc, `/apis/${GROUP}/${VERSION}/ippools`, () =>
      co.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'ippools' }) as never,
    ) as unknown as Cache;
    this.informer = inf;
    // a relist is a burst of events: one check per burst
    for (const ev of ['add', 'update', 'delete']) inf.on(ev, () => (this.pending ??= setImmediate(() => this.check())));
    inf.on('error', (err) => {
      this.log.warn({ err: (err as Error | undefined)?.message ?? String(err) }, 'IPPool watch failed; restarting');
      if (this.stopped) return;
      clearTimeout(this.retry);
      this.retry = setTimeout(() => {
        if (!this.stopped) inf.start().catch(() => undefined);
      }, this.opts.retryMs ?? 1000);
    });
    await inf.start();
    this.check();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pending) clearImmediate(this.pending);
    clearTimeout(this.retry);
    await this.informer?.stop().catch(() => undefined);
  }

  private check(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    if (this.stopped || !this.informer) return;
    try {
      this.opts.reporter.report(['IPPool'], ipPoolProblems(this.informer.list() as IpPoolObject[]));
    } catch (err) {
      // reporting must never take the agent down
      this.log.error({ err: (err as Error).message }, 'checking IPPools failed');
    }
  }
}
