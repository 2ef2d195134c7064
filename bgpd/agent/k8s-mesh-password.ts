// BGPConfiguration `default` spec.nodeMeshPassword (Calico: default only, mesh sessions only) → the TCP-MD5
// key of every Mesh_ session, IPv4 and IPv6, read through the same Secret lookup as BGPPeer passwords
// (k8s-secrets.ts). A rotated key changes the agent's peer signature, so exactly the mesh sessions are
// re-created. A reference that stops resolving (Secret deleted, typo in name or key, RBAC) must not take
// the whole mesh down: the sessions keep the last key read (none if there never was one) and the problem
// goes to the BGPConfiguration. Removing the field is deliberate and does drop the key.
import type { ClusterPeer } from './k8s-peers';
import type { PasswordField, PasswordLookup } from './k8s-secrets';

export const MESH_PASSWORD: PasswordField = {
  at: 'spec.nodeMeshPassword.secretKeyRef',
  otherwise: 'the mesh sessions keep the key they have (none if none was ever read)',
};

/** The mesh key over recomputations: one per source. */
export class MeshPassword {
  private last: string | undefined;

  /** The key the mesh sessions use now, and a problem for `default` when the reference does not resolve. */
  resolve(ref: unknown, lookup: PasswordLookup): { password?: string; problem?: string } {
    if (ref === undefined) {
      this.last = undefined;
      return {};
    }
    const r = lookup(ref, MESH_PASSWORD);
    if ('password' in r) {
      this.last = r.password;
      return { password: r.password };
    }
    // the schema requires {secretKeyRef: {name, key}}; the lookup's shape message lacks the consequence
    const problem = r.problem.endsWith(MESH_PASSWORD.otherwise) ? r.problem : `${r.problem}; ${MESH_PASSWORD.otherwise}`;
    return { ...(this.last !== undefined ? { password: this.last } : {}), problem };
  }
}

/** Mesh sessions (names Mesh_…, both families; BGPPeer sessions are Global_/Node_) with `password`. */
export function withMeshPassword(peers: readonly ClusterPeer[], password: string | undefined): ClusterPeer[] {
  if (password === undefined) return [...peers];
  return peers.map((p) => (p.name.startsWith('Mesh_') ? { ...p, overrides: { ...p.overrides, password } } : p));
}
