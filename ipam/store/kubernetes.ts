// The Kubernetes datastore over @kubernetes/client-node (kube-client-node.ts): the store logic is
// kube-store.ts; this file only binds it to client-node, for callers that hold a client-node KubeConfig
// (tests, bgpd) or a kubeconfig the lean transport cannot read. Loads client-node (~400 ms): reach it
// through `openKubernetesStore` (kubernetes-open.ts), a dynamic import that picks the lean transport
// whenever it can.
import { ClientNodeTransport, type ClientNodeOptions } from './kube-client-node';
import { KubeStore } from './kube-store';

export interface KubernetesStoreOptions extends ClientNodeOptions {
  /** Reconnect delay after a dropped watch stream (doubles up to 5 s). Default 100 ms. */
  readonly watchRetryMs?: number;
}

export class KubernetesStore extends KubeStore {
  constructor(opts: KubernetesStoreOptions = {}) {
    super(new ClientNodeTransport(opts), opts.watchRetryMs !== undefined ? { watchRetryMs: opts.watchRetryMs } : {});
  }
}
