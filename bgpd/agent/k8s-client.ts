// What every Kubernetes-side part of the agent (peer source, startup read, IPPool watcher, problem
// reporter) shares: how a kubeconfig option becomes a KubeConfig, and the slice of client-node's
// informer they use. Static import of client-node: only the lazily imported k8s-* modules load this file.
import { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';

/** A loaded KubeConfig, or a kubeconfig path; omitted = in-cluster / $KUBECONFIG / ~/.kube/config. */
export type KubeConfigInput = KubeConfig | string | undefined;

export function loadKubeConfig(input: KubeConfigInput): KubeConfig {
  if (typeof input === 'object') return input;
  const kc = new KubeConfig();
  if (input) kc.loadFromFile(input);
  else kc.loadFromDefault();
  return kc;
}

/** The part of client-node's Informer the agent uses (its typings vary with the object type). */
export interface InformerCache {
  list(): KubernetesObject[];
  start(): Promise<void>;
  stop(): Promise<void>;
  on(ev: string, cb: (x?: unknown) => void): void;
}
