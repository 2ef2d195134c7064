// RBAC for the fake apiserver, evaluated from the manifests themselves (deploy/rbac.yaml): a test that
// runs code with a ServiceAccount's token then fails exactly where a real cluster would answer 403.
// Covers what our manifests use: ClusterRole/Role, ClusterRoleBinding/RoleBinding to ServiceAccounts,
// apiGroups/resources/verbs (with '*'), resourceNames. No aggregation, no groups, no nonResourceURLs.
import type { Authorizer, RequestAttributes, ServiceAccountRef } from './fake-apiserver';
import type { Doc } from './manifests';

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

type RoleDoc = Doc & { rules?: PolicyRule[] };
type BindingDoc = Doc & { roleRef: { kind: string; name: string }; subjects?: Array<{ kind: string; name: string; namespace?: string }> };

const has = (list: readonly string[], v: string): boolean => list.includes(v) || list.includes('*');

export function ruleAllows(r: PolicyRule, a: RequestAttributes): boolean {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!has(r.apiGroups, a.group) || !has(r.resources, resource) || !has(r.verbs, a.verb)) return false;
  return !r.resourceNames?.length || (a.name !== undefined && r.resourceNames.includes(a.name));
}

/** The rules bound to `sa`: cluster-wide ones, and per namespace the ones bound by RoleBindings. */
export function rulesFor(docs: readonly Doc[], sa: ServiceAccountRef): { cluster: PolicyRule[]; namespaced: Map<string, PolicyRule[]> } {
  const roles = new Map<string, RoleDoc>();
  for (const d of docs) if (d.kind === 'ClusterRole' || d.kind === 'Role') roles.set(`${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`, d as RoleDoc);
  const cluster: PolicyRule[] = [];
  const namespaced = new Map<string, PolicyRule[]>();
  for (const d of docs) {
    if (d.kind !== 'ClusterRoleBinding' && d.kind !== 'RoleBinding') continue;
    const b = d as BindingDoc;
    const bound = (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace);
    if (!bound) continue;
    const ns = b.kind === 'RoleBinding' ? (b.metadata.namespace ?? '') : undefined;
    const role = roles.get(b.roleRef.kind === 'ClusterRole' ? `ClusterRole//${b.roleRef.name}` : `Role/${ns}/${b.roleRef.name}`);
    if (!role) throw new Error(`${b.kind} ${b.metadata.name} refers to a missing ${b.roleRef.kind} ${b.roleRef.name}`);
    if (ns === undefined) cluster.push(...(role.rules ?? []));
    else namespaced.set(ns, [...(namespaced.get(ns) ?? []), ...(role.rules ?? [])]);
  }
  return { cluster, namespaced };
}

export function rbacAuthorizer(docs: readonly Doc[]): Authorizer {
  return (who, attrs) => {
    const { cluster, namespaced } = rulesFor(docs, who);
    const local = attrs.namespace === undefined ? [] : (namespaced.get(attrs.namespace) ?? []);
    return [...cluster, ...local].some((r) => ruleAllows(r, attrs));
  };
}
