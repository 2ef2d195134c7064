// Who a CNI call is for: pod, host veth name, IPAM handle, node. Calico-compatible derivations
// (shared/reference/calico.md §2.3).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { sha1Hex } from './sha1';
import type { CniEnv } from './env';
import type { NetConf } from './netconf';

export interface PodIdentity {
  namespace?: string;
  pod?: string;
}

export function podIdentity(env: CniEnv): PodIdentity {
  const namespace = env.args.get('K8S_POD_NAMESPACE');
  const pod = env.args.get('K8S_POD_NAME');
  return namespace && pod ? { namespace, pod } : {};
}

/**
 * `<prefix>` + first 11 hex of sha1("<namespace>.<pod>") for pods, so a re-created sandbox of the same
 * pod reuses the name; without pod args, sha1 of the container id (a raw id prefix could contain
 * characters an interface name may not, and ids sharing 11 leading characters would collide).
 */
export function hostVethName(env: CniEnv, prefix = 'cali'): string {
  const id = podIdentity(env);
  const key = id.namespace && id.pod ? `${id.namespace}.${id.pod}` : env.containerId;
  return prefix + sha1Hex(key).slice(0, 11);
}

export function handleId(conf: NetConf, containerId: string): string {
  return `${conf.name}.${containerId}`;
}

export const DEFAULT_NODENAME_FILE = '/var/lib/tortie/nodename';

/** netconf nodename → nodename file (verbatim, trimmed) → OS hostname. */
export function nodeName(conf: NetConf): string {
  if (conf.nodename) return conf.nodename;
  try {
    const n = readFileSync(conf.nodename_file ?? DEFAULT_NODENAME_FILE, 'utf8').trim();
    if (n) return n;
  } catch {
    // absent file: fall through
  }
  return hostname();
}
