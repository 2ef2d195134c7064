// The only way other code should reach the Kubernetes datastore: dynamic imports, so the file and etcd
// stores (and every CNI invocation using them) load none of it.
//   kubernetes:                       $KUBECONFIG / ~/.kube/config / in-cluster service account
//   kubernetes:/etc/cni/net.d/tortie-kubeconfig
// Two transports (kube-transport.ts). The lean one (node:https, kube-rest.ts) when the kubeconfig is a
// form it reads (kubeconfig-lean.ts: what install-cni writes, client certs, in-cluster) and the caller does
// not say it will watch: a CNI ADD then costs tens of ms, not client-node's ~400 ms load. Otherwise
// client-node. A lean store that is asked to watch after all loads client-node for the watch only.
import type { Datastore } from '../datastore';
import type { KubeStore } from './kube-store';

export const KUBERNETES_SPEC_PREFIX = 'kubernetes:';

export interface OpenKubernetesOptions {
  /** The caller will watch (bgpd): use client-node, whose Watch it then uses anyway. Default false. */
  readonly watches?: boolean;
  /** `lean` or `client-node` regardless of the kubeconfig (tests, benchmarks). */
  readonly transport?: 'lean' | 'client-node';
  /** Reconnect delay after a dropped watch stream. */
  readonly watchRetryMs?: number;
  /** For `kubernetes:` without a path; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export function isKubernetesSpec(spec: string): boolean {
  return spec.startsWith(KUBERNETES_SPEC_PREFIX);
}

export async function openKubernetesStore(spec: string, opts: OpenKubernetesOptions = {}): Promise<KubeStore> {
  if (!isKubernetesSpec(spec)) throw new Error(`not a kubernetes datastore spec: ${spec}`);
  const path = spec.slice(KUBERNETES_SPEC_PREFIX.length);
  const clientNodeOpts = path === '' ? {} : { kubeconfig: path };
  const retry = opts.watchRetryMs !== undefined ? { watchRetryMs: opts.watchRetryMs } : {};
  const wantLean = opts.transport === 'lean' || (opts.transport === undefined && !opts.watches);
  if (wantLean) {
    const [{ defaultLeanKubeconfig, loadLeanKubeconfigFile }, { DatastoreError }] = await Promise.all([import('./kubeconfig-lean'), import('../errors')]);
    // An unreadable kubeconfig (or a file it names) throws fs's own error, as client-node's loadFromFile does.
    const lean = path === '' ? defaultLeanKubeconfig(opts.env ?? process.env) : loadLeanKubeconfigFile(path);
    if (lean.ok) {
      const [{ LeanTransport }, { KubeStore }] = await Promise.all([import('./kube-rest'), import('./kube-store')]);
      const watchSource = async () => new (await import('./kube-client-node')).ClientNodeTransport(clientNodeOpts);
      return new KubeStore(new LeanTransport(lean.config), { ...retry, watchSource });
    }
    if (opts.transport === 'lean') throw new DatastoreError(spec, `kubernetes: the lean transport cannot use this kubeconfig: ${lean.reason}`);
  }
  const { KubernetesStore } = await import('./kubernetes');
  return new KubernetesStore({ ...clientNodeOpts, ...retry });
}

/** openDatastore (file, etcd) plus `kubernetes:` — for callers that may be configured with any of them. */
export async function openAnyDatastore(spec: string): Promise<Datastore> {
  if (isKubernetesSpec(spec)) return openKubernetesStore(spec);
  const { openDatastore } = await import('./open');
  return openDatastore(spec);
}
