// What the Kubernetes sources found wrong with the objects they read, handed to a reporter that turns it
// into Events and status conditions (k8s-report.ts). Each recomputation hands in the complete list for
// every object it looked at — an object with `problems: []` is valid (again), so a reporter can clear an
// earlier condition — and the reporter decides what actually changed and needs writing.

/** The kinds whose objects the agent validates beyond what the CRD schema can express. */
export type ReportedKind = 'BGPPeer' | 'BGPConfiguration' | 'BGPFilter' | 'IPPool' | 'Node';

export interface ObjectRef {
  kind: ReportedKind;
  /** `tortie.dev/v1` for the CRDs, `v1` for Node. */
  apiVersion: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  /**
   * `status.conditions` as read (CRDs only): the reporter writes a condition only when it differs from
   * these, so many nodes reporting the same problem do not rewrite it over and over.
   */
  conditions?: readonly StatusCondition[];
}

/** A metav1.Condition as stored in a CRD's `status.conditions`. */
export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface ObjectProblems {
  ref: ObjectRef;
  /** One human-readable sentence per problem, naming the field: "spec.peerIP: expected …, found …". Empty = valid. */
  problems: string[];
}

export interface ProblemReporter {
  /** Called after each recomputation with every object of `kinds` that was looked at. */
  report(kinds: readonly ReportedKind[], items: readonly ObjectProblems[]): void;
}

/** Builds the ref of a CRD (or Node) object as read from an informer cache. */
export function refOf(
  kind: ReportedKind,
  obj: { apiVersion?: string; metadata?: { name?: string; uid?: string; resourceVersion?: string; generation?: number }; status?: unknown },
): ObjectRef {
  const m = obj.metadata ?? {};
  // a Node's status.conditions are the kubelet's (Ready, …), never ours
  const conds = kind === 'Node' ? undefined : (obj.status as { conditions?: unknown } | undefined)?.conditions;
  return {
    kind,
    apiVersion: obj.apiVersion ?? (kind === 'Node' ? 'v1' : 'tortie.dev/v1'),
    name: m.name ?? '',
    ...(m.uid !== undefined ? { uid: m.uid } : {}),
    ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
    ...(m.generation !== undefined ? { generation: m.generation } : {}),
    ...(Array.isArray(conds) ? { conditions: conds.filter(isCondition) } : {}),
  };
}

function isCondition(c: unknown): c is StatusCondition {
  const x = c as StatusCondition;
  return typeof x === 'object' && x !== null && typeof x.type === 'string' && typeof x.status === 'string';
}
