// Reads a kubeconfig without @kubernetes/client-node, for the forms tortie itself writes and pods get:
//   - install-cni's JSON kubeconfig: server + certificate-authority(-data) + token (or tokenFile)
//   - client-certificate(-data) + client-key(-data); insecure-skip-tls-verify; tls-server-name
//   - in cluster: KUBERNETES_SERVICE_HOST/PORT + the service account's token and ca.crt
// Anything else (YAML, exec/auth-provider plugins, basic auth, impersonation, proxies, several merged
// files) is "unsupported" with the reason, and the caller falls back to client-node, which knows them all.
// Only reading the file fails here: a config that names a missing file is the caller's error either way.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

export interface LeanKubeConfig {
  readonly server: URL;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly token?: string;
  /** Re-read now and then: kubelet rotates projected service-account tokens. */
  readonly tokenFile?: string;
  /** insecure-skip-tls-verify (also what client-node demands before it talks plain http). */
  readonly insecure: boolean;
  readonly servername?: string;
  /** Where it came from, for messages. */
  readonly source: string;
}

export type LeanResult = { readonly ok: true; readonly config: LeanKubeConfig } | { readonly ok: false; readonly reason: string };

export const SERVICEACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string | undefined => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);

const CLUSTER_FIELDS = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions']);
const USER_FIELDS = new Set(['token', 'tokenFile', 'token-file', 'client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'extensions']);

function named(list: unknown, name: string, field: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  const hit = list.find((e): e is Obj => isObj(e) && e.name === name);
  return hit && isObj(hit[field]) ? (hit[field] as Obj) : undefined;
}

/** The kubeconfig text `source` holds (`dir` resolves its relative file names, as kubectl does). */
export function parseLeanKubeconfig(text: string, source: string, dir: string): LeanResult {
  const no = (reason: string): LeanResult => ({ ok: false, reason: `${source}: ${reason}` });
  // install-cni writes JSON (valid YAML); a YAML parser would cost every pod start its load time.
  if (!text.trimStart().startsWith('{')) return no('not JSON (YAML is left to client-node)');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return no(`not valid JSON (${(err as Error).message})`);
  }
  if (!isObj(doc)) return no('not an object');
  const ctxName = str(doc, 'current-context');
  if (!ctxName) return no('no current-context');
  const ctx = named(doc.contexts, ctxName, 'context');
  if (!ctx) return no(`context ${ctxName} not found`);
  const cluster = named(doc.clusters, String(ctx.cluster ?? ''), 'cluster');
  const user = ctx.user === undefined ? {} : named(doc.users, String(ctx.user), 'user');
  if (!cluster) return no(`cluster ${String(ctx.cluster)} not found`);
  if (!user) return no(`user ${String(ctx.user)} not found`);
  const odd = [...Object.keys(cluster).filter((k) => !CLUSTER_FIELDS.has(k)), ...Object.keys(user).filter((k) => !USER_FIELDS.has(k))];
  if (odd.length > 0) return no(`uses ${odd.join(', ')}`);
  const server = str(cluster, 'server');
  if (!server) return no('cluster has no server');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return no(`server ${server} is not a URL`);
  }
  const insecure = cluster['insecure-skip-tls-verify'] === true;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && insecure)) return no(`server ${server}: plain http without insecure-skip-tls-verify`);
  const file = (p: string | undefined): Buffer | undefined => (p === undefined ? undefined : readFileSync(isAbsolute(p) ? p : join(dir, p)));
  const data = (o: Obj, k: string): Buffer | undefined => (str(o, k) === undefined ? undefined : Buffer.from(str(o, k)!, 'base64'));
  const tokenFile = str(user, 'tokenFile') ?? str(user, 'token-file');
  const servername = str(cluster, 'tls-server-name');
  const config: LeanKubeConfig = {
    server: url,
    insecure,
    source,
    ca: data(cluster, 'certificate-authority-data') ?? file(str(cluster, 'certificate-authority')),
    cert: data(user, 'client-certificate-data') ?? file(str(user, 'client-certificate')),
    key: data(user, 'client-key-data') ?? file(str(user, 'client-key')),
    ...(str(user, 'token') ? { token: str(user, 'token')! } : {}),
    ...(tokenFile ? { tokenFile: isAbsolute(tokenFile) ? tokenFile : join(dir, tokenFile) } : {}),
    ...(servername ? { servername } : {}),
  };
  if ((config.cert === undefined) !== (config.key === undefined)) return no('client certificate without key (or key without certificate)');
  return { ok: true, config };
}

export function loadLeanKubeconfigFile(path: string): LeanResult {
  return parseLeanKubeconfig(readFileSync(path, 'utf8'), path, dirname(path));
}

/** The pod's own service account, as client-node's loadFromCluster reads it (https ports only). */
export function inClusterConfig(env: NodeJS.ProcessEnv, dir = SERVICEACCOUNT_DIR): LeanResult {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) return { ok: false, reason: 'KUBERNETES_SERVICE_HOST is not set' };
  // client-node speaks http to these ports (and then refuses to): leave that oddity to it
  if (['80', '8080', '8001'].includes(port)) return { ok: false, reason: `in-cluster port ${port} means plain http` };
  return {
    ok: true,
    config: {
      server: new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`),
      ca: readFileSync(join(dir, 'ca.crt')),
      tokenFile: join(dir, 'token'),
      insecure: false,
      source: `in-cluster service account (${dir})`,
    },
  };
}

/**
 * `kubernetes:` with no path: what client-node's loadFromDefault would pick ($KUBECONFIG, ~/.kube/config,
 * the service account), read the lean way when it can be.
 */
export function defaultLeanKubeconfig(env: NodeJS.ProcessEnv, saDir = SERVICEACCOUNT_DIR): LeanResult {
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(':').filter((f) => f !== '');
    if (files.length !== 1) return { ok: false, reason: `KUBECONFIG lists ${files.length} files (merging is left to client-node)` };
    return loadLeanKubeconfigFile(files[0]);
  }
  const home = env.HOME ? join(env.HOME, '.kube', 'config') : undefined;
  if (home && existsSync(home)) return loadLeanKubeconfigFile(home);
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(saDir, 'token'))) return inClusterConfig(env, saDir);
  return { ok: false, reason: 'no kubeconfig found ($KUBECONFIG, ~/.kube/config, service account)' };
}
