// The only way other code should reach the Kubernetes datastore: a dynamic import, so the file and etcd
// stores (and every CNI invocation using them) never load @kubernetes/client-node (~400 ms, 72 MB).
//   kubernetes:                       in-cluster service account / $KUBECONFIG / ~/.kube/config
//   kubernetes:/etc/cni/net.d/tortie-kubeconfig
import type { Datastore } from '../datastore';

export const KUBERNETES_SPEC_PREFIX = 'kubernetes:';

export function isKubernetesSpec(spec: string): boolean {
  return spec.startsWith(KUBERNETES_SPEC_PREFIX);
}

export async function openKubernetesStore(spec: string): Promise<Datastore> {
  if (!isKubernetesSpec(spec)) throw new Error(`not a kubernetes datastore spec: ${spec}`);
  const path = spec.slice(KUBERNETES_SPEC_PREFIX.length);
  const { KubernetesStore } = await import('./kubernetes');
  return new KubernetesStore(path === '' ? {} : { kubeconfig: path });
}

/** openDatastore (file, etcd) plus `kubernetes:` — for callers that may be configured with any of them. */
export async function openAnyDatastore(spec: string): Promise<Datastore> {
  if (isKubernetesSpec(spec)) return openKubernetesStore(spec);
  const { openDatastore } = await import('./open');
  return openDatastore(spec);
}
