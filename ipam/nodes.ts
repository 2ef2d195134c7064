// Node registry in the IPAM datastore: what other nodes need to know to peer and route to a node.
import { canonicalIp, parseIp } from './cidr';
import type { Datastore, Watcher } from './datastore';
import { FamilyMismatchError, InvalidAddressError, IpamError } from './errors';
import { NODE_PREFIX, nodeKey } from './keys';
import { decode, getRecord, listRecords } from './records';
import { Conflict, withRetries } from './retry';

export interface NodeInfo {
  readonly name: string;
  /** Node addresses used for BGP peering and as tunnel endpoints, e.g. `198.18.0.1`. */
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly asNumber?: number;
  /** Set on route reflectors: nodes with the same cluster id don't mesh with each other. */
  readonly rrClusterId?: string;
  readonly vxlanVtep?: string;
  readonly vxlanMac?: string;
  /** Matched by IPPool.nodeSelector. */
  readonly labels?: Readonly<Record<string, string>>;
}

export class InvalidNodeError extends IpamError {}

const isNode = (v: unknown): v is NodeInfo => typeof v === 'object' && v !== null && typeof (v as NodeInfo).name === 'string';

export function validateNode(n: NodeInfo): NodeInfo {
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(n.name)) throw new InvalidNodeError(`invalid node name ${JSON.stringify(n.name)}`);
  const fam = (v: string | undefined, f: 4 | 6, what: string): string | undefined => {
    if (v === undefined) return undefined;
    const p = parseIp(v);
    if (!p) throw new InvalidAddressError(v);
    if (p.family !== f) throw new FamilyMismatchError(`node ${n.name} ${what} ${v}`, f);
    return canonicalIp(v);
  };
  if (n.asNumber !== undefined && (!Number.isInteger(n.asNumber) || n.asNumber < 1 || n.asNumber > 4294967295))
    throw new InvalidNodeError(`node ${n.name}: AS number ${n.asNumber} is out of range 1–4294967295`);
  if (n.vxlanMac !== undefined && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(n.vxlanMac))
    throw new InvalidNodeError(`node ${n.name}: bad VXLAN MAC ${n.vxlanMac}`);
  return {
    ...n,
    ipv4: fam(n.ipv4, 4, 'ipv4'),
    ipv6: fam(n.ipv6, 6, 'ipv6'),
    vxlanVtep: n.vxlanVtep === undefined ? undefined : (fam(n.vxlanVtep, parseIp(n.vxlanVtep)?.family ?? 4, 'vxlanVtep') ?? undefined),
    vxlanMac: n.vxlanMac?.toLowerCase(),
  };
}

/** Creates or replaces a node's record. */
export async function registerNode(ds: Datastore, node: NodeInfo): Promise<NodeInfo> {
  const n = JSON.parse(JSON.stringify(validateNode(node))) as NodeInfo; // drops undefined fields
  await withRetries(`register node ${n.name}`, async () => {
    const cur = await ds.get(nodeKey(n.name));
    const res = cur ? await ds.update(cur.key, JSON.stringify(n), cur.revision) : await ds.create(nodeKey(n.name), JSON.stringify(n));
    if (!res.ok) throw new Conflict(nodeKey(n.name));
  });
  return n;
}

export async function getNode(ds: Datastore, name: string): Promise<NodeInfo | undefined> {
  return (await getRecord(ds, nodeKey(name), isNode, 'Node'))?.value;
}

export async function listNodes(ds: Datastore): Promise<NodeInfo[]> {
  return (await listRecords(ds, NODE_PREFIX, isNode, 'Node')).map((r) => r.value);
}

export async function removeNode(ds: Datastore, name: string): Promise<boolean> {
  return withRetries(`remove node ${name}`, async () => {
    const cur = await ds.get(nodeKey(name));
    if (!cur) return false;
    if (!(await ds.delete(cur.key, cur.revision)).ok) throw new Conflict(cur.key);
    return true;
  });
}

export type NodeEvent = { readonly type: 'put'; readonly node: NodeInfo } | { readonly type: 'delete'; readonly name: string };

/** Streams node changes (from `fromRevision` when given). Malformed records go to onError with their key. */
export function watchNodes(ds: Datastore, onEvent: (ev: NodeEvent) => void, opts: { fromRevision?: number; onError?: (e: Error) => void } = {}): Watcher {
  return ds.watch(NODE_PREFIX, {
    fromRevision: opts.fromRevision,
    onError: opts.onError,
    onEvent: (ev) => {
      if (ev.type === 'delete') onEvent({ type: 'delete', name: ev.key.slice(NODE_PREFIX.length) });
      else {
        try {
          onEvent({ type: 'put', node: decode(ev, isNode, 'Node').value });
        } catch (err) {
          opts.onError?.(err as Error);
        }
      }
    },
  });
}
