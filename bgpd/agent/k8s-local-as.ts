// This node's own AS with the Kubernetes datastore: the Node annotation `tortie.dev/as-number`, else the
// BGPConfiguration's `asNumber` (already resolved against the config file by k8s-bgpconfig.ts), else the
// config file — unless `kubernetes.configFileWins` lists `asNumber`, then the file's always. bgpd fixes
// its AS at start (it is in every OPEN and the RIB), so the same rule runs twice: once at start
// (k8s-startup.ts) to pick it, and after every recomputation (k8s-source.ts) to notice it moved.
// Pure.
import type { ConfigFileField } from '../../config/types';
import { annotationAs } from './k8s-peers';
import type { NodeObject } from './k8s-peers';

// parsed where clusterNode reads it for the mesh, so this node and its neighbours agree on the value
export { annotationAs } from './k8s-peers';

export type LocalAsSource = 'node annotation' | 'BGPConfiguration' | 'config file';

export interface LocalAs {
  asNumber: number;
  /** Where it came from, for log lines and problem sentences. */
  from: LocalAsSource;
}

/**
 * The AS this node should run with. `cfgAs` is the resolved BGPConfiguration asNumber (resolveBgpConfig:
 * the file's when no object sets it, or when configFileWins lists it).
 */
export function localAsFor(node: NodeObject | undefined, cfgAs: number, fileAs: number, fileWins: readonly ConfigFileField[] = []): LocalAs {
  if (fileWins.includes('asNumber')) return { asNumber: fileAs, from: 'config file' };
  const ann = annotationAs(node).asNumber;
  if (ann !== undefined) return { asNumber: ann, from: 'node annotation' };
  // a BGPConfiguration equal to the file is named as the file: the value is the same either way
  return cfgAs !== fileAs ? { asNumber: cfgAs, from: 'BGPConfiguration' } : { asNumber: fileAs, from: 'config file' };
}

/**
 * What the other nodes expect this node's AS to be: its annotation, else the cluster AS. Differs from
 * localAsFor only when configFileWins lists asNumber (this node then ignores its annotation and the
 * BGPConfiguration, the other nodes do not).
 */
export function expectedAs(node: NodeObject | undefined, cfgAs: number): number {
  return annotationAs(node).asNumber ?? cfgAs;
}
