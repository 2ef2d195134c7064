// Lists the cluster's pods for `ipam gc` in kubernetes mode, through @kubernetes/client-node. Import
// this file only dynamically (as bgpctl does): client-node costs ~400 ms to load, which file/etcd users
// must not pay. The list is paged (500 a page) and unversioned, i.e. a consistent read from etcd, never
// the watch cache's possibly stale view (resourceVersion=0) — a pod missing from a stale list would
// get its address released.
import type { KubeConfig } from '@kubernetes/client-node';
import type { PodInfo, PodLister } from './k8s-pods';

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export interface PodListerOptions {
  /** A kubeconfig file; absent = in-cluster service account / $KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig?: string;
  /** An already-loaded config (tests). Wins over `kubeconfig`. */
  readonly kubeConfig?: KubeConfig;
  readonly pageSize?: number;
}

export async function kubernetesPodLister(opts: PodListerOptions = {}): Promise<PodLister> {
  const k8s = await import('@kubernetes/client-node');
  let kc = opts.kubeConfig;
  if (!kc) {
    kc = new k8s.KubeConfig();
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  }
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const limit = opts.pageSize ?? 500;
  return async () => {
    const out: PodInfo[] = [];
    let cont: string | undefined;
    do {
      const page = await api.listPodForAllNamespaces({ limit, _continue: cont });
      for (const p of page.items) {
        const m = p.metadata;
        if (!m?.name || !m.namespace || !m.uid) continue;
        out.push({
          namespace: m.namespace,
          name: m.name,
          uid: m.uid,
          nodeName: p.spec?.nodeName || undefined,
          podIPs: (p.status?.podIPs ?? []).map((x) => x.ip).filter((ip): ip is string => typeof ip === 'string' && ip !== ''),
          mirrorOf: m.annotations?.[MIRROR_ANNOTATION],
        });
      }
      cont = page.metadata?._continue || undefined;
    } while (cont);
    return out;
  };
}
