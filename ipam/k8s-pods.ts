// Kubernetes mode of `ipam gc`: which allocations belong to a pod that is gone. Pure judging plus one
// read of the blocks; listing the pods is the caller's (k8s-pods-client.ts does it with client-node, so
// this file stays free of it).
//
// An allocation is judged only when its owner names a pod (namespace + pod) and is a workload: tunnel
// addresses and allocations made without pod arguments are never touched. It is orphaned when
//   - no pod of that namespace/name exists;
//   - the owner recorded a pod UID (`podUid`, stored by the CNI plugin from K8S_POD_UID) and the pod has another one —
//     the name was reused by a new pod (a static pod's mirror carries the static UID in an annotation);
//   - the pod is bound to another node than the allocation was made on: pods never move, so the pod
//     under that name is a newer one;
//   - the pod reports IPs (status.podIPs) and this address is not one of them — a newer pod under the
//     same name on the same node, or an older sandbox of the same pod (Calico's kube-controllers judge
//     the same way). kubelet writes podIPs shortly after a sandbox's ADD, so for a moment a fresh
//     allocation mismatches too: that is why gc only acts on what two observations `graceMs` apart agree on.
import type { Problem } from './cli/check';
import { canonicalIp } from './cidr';
import type { Datastore } from './datastore';
import { CorruptRecordError } from './errors';
import { blockPrefix } from './keys';
import type { AllocationOwner } from './model';
import { decodeBlock } from './resources';

export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** spec.nodeName; absent while unscheduled. */
  readonly nodeName?: string;
  /** status.podIPs (empty until kubelet reports them). */
  readonly podIPs: readonly string[];
  /** A mirror pod's `kubernetes.io/config.mirror` annotation: the UID kubelet gave the static pod. */
  readonly mirrorOf?: string;
}

/** Lists every pod of the cluster; must be a consistent read (not served from a stale cache). */
export type PodLister = () => Promise<Iterable<PodInfo>>;

const canonical = (ip: string): string => canonicalIp(ip) ?? ip;

export function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function indexPods(pods: Iterable<PodInfo>): Map<string, PodInfo> {
  const m = new Map<string, PodInfo>();
  for (const p of pods) m.set(podKey(p.namespace, p.name), p);
  return m;
}

/** Why the allocation of `ip` by `owner` is orphaned, or undefined when it is not (or not ours to judge). */
export function orphanReason(owner: AllocationOwner, ip: string, pods: ReadonlyMap<string, PodInfo>): string | undefined {
  if (!owner.namespace || !owner.pod) return undefined;
  if (owner.type !== undefined && owner.type !== 'workload') return undefined;
  const name = podKey(owner.namespace, owner.pod);
  const pod = pods.get(name);
  if (!pod) return `pod ${name} no longer exists`;
  const uid = owner.podUid;
  if (uid && uid !== pod.uid && uid !== pod.mirrorOf)
    return `pod ${name} was recreated (uid ${pod.uid}; the allocation was for uid ${uid})`;
  if (owner.node && pod.nodeName && owner.node !== pod.nodeName)
    return `pod ${name} now runs on node ${pod.nodeName}; the allocation was made on ${owner.node}`;
  if (pod.podIPs.length > 0) {
    const mine = canonical(ip);
    if (!pod.podIPs.some((p) => canonical(p) === mine)) return `pod ${name} has IPs ${pod.podIPs.join(', ')}, not ${ip}`;
  }
  return undefined;
}

/**
 * Allocations whose pod is gone, as `leaked-ip` problems (repair releases them sequence-checked, so an
 * address re-allocated since is left alone). Blocks are read before the pods are listed: a pod exists
 * in the API before its sandbox's ADD, so any allocation read first has its pod in the later list
 * unless the pod really went away. Corrupt blocks are skipped (`check` reports them).
 */
export async function findPodOrphans(ds: Datastore, listPods: PodLister): Promise<Problem[]> {
  const blocks = [];
  for (const kv of [...(await ds.list(blockPrefix(4))), ...(await ds.list(blockPrefix(6)))]) {
    try {
      blocks.push(decodeBlock(kv));
    } catch (err) {
      if (!(err instanceof CorruptRecordError)) throw err;
    }
  }
  const pods = indexPods(await listPods());
  const out: Problem[] = [];
  for (const sb of blocks) {
    const cidr = sb.block.cidr.toString();
    for (const a of sb.block.allocations()) {
      const ip = sb.block.cidr.addressAt(a.ordinal);
      const reason = orphanReason(a.attr.owner, ip, pods);
      if (reason === undefined) continue;
      out.push({
        kind: 'leaked-ip',
        key: sb.key,
        revision: sb.revision,
        ip,
        sequence: a.sequence,
        handleId: a.attr.handleId,
        block: cidr,
        node: a.attr.owner.node,
        detail: `${ip} (handle ${a.attr.handleId}): ${reason}`,
      });
    }
  }
  return out;
}
