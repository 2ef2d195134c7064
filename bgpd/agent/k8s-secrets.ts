// BGPPeer.spec.password.secretKeyRef → the TCP-MD5 key, from the Secrets of the agent's own namespace
// (the DaemonSet's; RBAC lets it read Secrets there and nowhere else). Pure: the source hands in its
// informer cache. Problems name the Secret and key but never contain any part of the value.

/** Linux TCP_MD5SIG_MAXKEYLEN. */
export const MAX_PASSWORD_BYTES = 80;
export const DEFAULT_NAMESPACE = 'tortie-system';

/** The namespace whose Secrets are read: env POD_NAMESPACE (downward API), else tortie-system. */
export function secretsNamespace(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.POD_NAMESPACE?.trim() || DEFAULT_NAMESPACE;
}

export interface SecretObject {
  metadata?: { name?: string; namespace?: string };
  /** base64 values, as the API serves them. */
  data?: Record<string, string>;
}

export type PasswordResult = { password: string } | { problem: string };

/** Where the reference sits and what happens without a key, for the problem sentences. */
export interface PasswordField {
  /** e.g. `spec.nodeMeshPassword.secretKeyRef`. */
  at: string;
  /** e.g. `mesh sessions keep their current key`. */
  otherwise: string;
}

/** BGPPeer `spec.password`: without a key the peer is not configured. */
export const PEER_PASSWORD: PasswordField = { at: 'spec.password.secretKeyRef', otherwise: 'peer not configured' };

export type PasswordLookup = (ref: unknown, field?: PasswordField) => PasswordResult;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A lookup over the Secrets of `namespace` (objects of other namespaces are ignored). */
export function passwordLookup(secrets: readonly SecretObject[], namespace: string): PasswordLookup {
  const byName = new Map(secrets.filter((s) => (s.metadata?.namespace ?? namespace) === namespace).map((s) => [s.metadata?.name ?? '', s]));
  return (ref, { at, otherwise } = PEER_PASSWORD) => {
    const r = isObj(ref) && isObj(ref.secretKeyRef) ? ref.secretKeyRef : undefined;
    const name = r?.name;
    const key = r?.key;
    if (typeof name !== 'string' || name === '' || typeof key !== 'string' || key === '') return { problem: `${at}: expected {name, key}` };
    const s = byName.get(name);
    if (!s) return { problem: `${at}: Secret ${namespace}/${name} not found; ${otherwise}` };
    const b64 = s.data?.[key];
    if (b64 === undefined) return { problem: `${at}: Secret ${namespace}/${name} has no key "${key}"; ${otherwise}` };
    const raw = Buffer.from(b64, 'base64');
    if (raw.length === 0) return { problem: `${at}: key "${key}" of Secret ${namespace}/${name} is empty; ${otherwise}` };
    if (raw.length > MAX_PASSWORD_BYTES) return { problem: `${at}: key "${key}" of Secret ${namespace}/${name} is ${raw.length} bytes, TCP-MD5 allows at most ${MAX_PASSWORD_BYTES}; ${otherwise}` };
    const text = raw.toString('utf8');
    // the speaker takes the key as a string: bytes that are not UTF-8 would change on the way
    if (!Buffer.from(text, 'utf8').equals(raw)) return { problem: `${at}: key "${key}" of Secret ${namespace}/${name} is not valid UTF-8; ${otherwise}` };
    return { password: text };
  };
}
