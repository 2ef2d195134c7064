// Which CRD kind and object name a datastore key lives in (Kubernetes datastore). One kind per IPAM
// resource, named like Calico's KDD does it, so `kubectl get ipamblocks` reads naturally:
//   /tortie/ipam/v2/pool/<name>                      → IPPool          <name>
//   /tortie/ipam/v2/assignment/ipv4/block/10.0.1.0-26 → IPAMBlock       10-0-1-0-26
//   /tortie/ipam/v2/host/<node>/ipv4/block/<cidr>    → BlockAffinity   <node>-10-0-1-0-26 (+ node label)
//   /tortie/ipam/v2/handle/<id>                      → IPAMHandle      <id>
//   /tortie/ipam/v2/config                           → IPAMConfig      default
//   anything else (node registry, tests)             → DatastoreEntry  escaped key
// A name that would not be a valid object name (upper case, too long, odd characters) gets a readable
// stem plus 10 hex digits of sha256(key), so distinct keys never share an object. The exact key is always
// kept in an annotation; the name is only needed to find the object, never to recover the key.
import { createHash } from 'node:crypto';
import { CONFIG_KEY, HANDLE_PREFIX, POOL_PREFIX, ROOT } from '../keys';

export const GROUP = 'tortie.dev';
export const VERSION = 'v1';
export const KEY_ANNOTATION = 'tortie.dev/key';
export const DELETED_ANNOTATION = 'tortie.dev/deleted';
/** sha256(node)[:40]: node names can be longer than a label value (63) may be. */
export const NODE_HASH_LABEL = 'tortie.dev/node-hash';

export interface KindInfo {
  readonly kind: string;
  readonly plural: string;
  /** Keys of this kind start with this (empty for the catch-all kind). */
  readonly prefix: string;
}

const HOST_PREFIX = `${ROOT}/ipam/v2/host/`;
const BLOCK_RE = new RegExp(`^${escapeRe(ROOT)}/ipam/v2/assignment/ipv[46]/block/(.+)$`);
const AFFINITY_RE = new RegExp(`^${escapeRe(HOST_PREFIX)}([^/]+)/ipv[46]/block/([^/]+)$`);

export const POOL: KindInfo = { kind: 'IPPool', plural: 'ippools', prefix: POOL_PREFIX };
export const BLOCK: KindInfo = { kind: 'IPAMBlock', plural: 'ipamblocks', prefix: `${ROOT}/ipam/v2/assignment/` };
export const AFFINITY: KindInfo = { kind: 'BlockAffinity', plural: 'blockaffinities', prefix: HOST_PREFIX };
export const HANDLE: KindInfo = { kind: 'IPAMHandle', plural: 'ipamhandles', prefix: HANDLE_PREFIX };
export const CONFIG: KindInfo = { kind: 'IPAMConfig', plural: 'ipamconfigs', prefix: CONFIG_KEY };
export const ENTRY: KindInfo = { kind: 'DatastoreEntry', plural: 'datastoreentries', prefix: '' };
export const ALL_KINDS: readonly KindInfo[] = [POOL, BLOCK, AFFINITY, HANDLE, CONFIG, ENTRY];

export interface ObjectRef {
  readonly info: KindInfo;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Calico's CIDR escaping: `.`, `:` and `/` become `-` (10.244.0.0/26 → 10-244-0-0-26). */
export function cidrName(cidr: string): string {
  return cidr.replace(/[.:/]/g, '-').toLowerCase();
}

/** `wanted` if it is a valid object name, else a sanitized stem of it + sha256(key)[:10]. */
function safeName(wanted: string, key: string): string {
  if (wanted.length <= 253 && DNS_SUBDOMAIN.test(wanted)) return wanted;
  const stem = wanted
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 200)
    .replace(/[^a-z0-9]+$/, '');
  return `${stem === '' ? 'k' : stem}-${sha256(key).slice(0, 10)}`;
}

export function nodeHash(node: string): string {
  return sha256(node).slice(0, 40);
}

// Each IPAM kind owns every key below its prefix (odd ones get hashed names), so a list inside one
// kind's prefix never has to search the catch-all kind too.
export function kindForKey(key: string): KindInfo {
  for (const info of [POOL, BLOCK, AFFINITY, HANDLE]) if (key.startsWith(info.prefix)) return info;
  if (key === CONFIG_KEY) return CONFIG;
  return ENTRY;
}

export function objectRef(key: string): ObjectRef {
  const info = kindForKey(key);
  const rest = key.slice(info.prefix.length);
  switch (info) {
    case BLOCK: {
      const m = BLOCK_RE.exec(key);
      return { info, name: safeName(m ? cidrName(m[1]) : rest, key), labels: {} };
    }
    case AFFINITY: {
      const m = AFFINITY_RE.exec(key);
      const node = rest.split('/')[0];
      return { info, name: safeName(m ? `${m[1]}-${cidrName(m[2])}` : rest, key), labels: { [NODE_HASH_LABEL]: nodeHash(node) } };
    }
    case CONFIG:
      return { info, name: 'default', labels: {} };
    case ENTRY:
      return { info, name: safeName(key.replace(/^\/+/, '').replace(/\//g, '.'), key), labels: {} };
    default:
      return { info, name: safeName(rest, key), labels: {} };
  }
}

/** For objects created without our key annotation (an admin's `kubectl apply` of an IPPool). */
export function keyForUnannotated(info: KindInfo, name: string): string | undefined {
  if (info === POOL) return POOL.prefix + name;
  if (info === CONFIG && name === 'default') return CONFIG_KEY;
  return undefined;
}

export interface ListPlan {
  readonly info: KindInfo;
  readonly labelSelector?: string;
}

/**
 * The kinds whose keys may start with `prefix`. Keys that no IPAM kind claims live in the catch-all kind,
 * so it is searched unless the prefix lies entirely inside one IPAM kind's space.
 */
export function kindsForPrefix(prefix: string): ListPlan[] {
  const plans: ListPlan[] = [];
  for (const info of [POOL, BLOCK, AFFINITY, HANDLE]) {
    if (prefix.startsWith(info.prefix)) {
      const node = /^([^/]+)\//.exec(prefix.slice(info.prefix.length));
      // Inside one kind: nothing else can hold such keys.
      return [info === AFFINITY && node ? { info, labelSelector: `${NODE_HASH_LABEL}=${nodeHash(node[1])}` } : { info }];
    }
    if (info.prefix.startsWith(prefix)) plans.push({ info });
  }
  if (CONFIG_KEY.startsWith(prefix)) plans.push({ info: CONFIG });
  plans.push({ info: ENTRY });
  return plans;
}
