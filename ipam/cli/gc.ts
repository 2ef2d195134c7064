// `ipam gc`: repairs handle/affinity leftovers of crashed operations, and releases leaked addresses —
//   file/etcd mode (run on a node): allocations of this node whose container netns no longer exists;
//   kubernetes mode (`pods` given, run anywhere): allocations whose pod is gone (k8s-pods.ts). The netns
//   probe is off then: where gc runs need not see the node's /var/run/netns.
// A problem is only acted on if it is seen twice, `graceMs` apart, on an unchanged record: an
// operation in flight (handle already incremented, block not yet written) looks exactly like a crash
// leftover for a moment, and must not be "repaired" under its feet.
import type { Datastore } from '../datastore';
import { IpamError } from '../errors';
import { findPodOrphans, type PodLister } from '../k8s-pods';
import { checkIpam, type CheckReport, type Problem } from './check';
import { repair, type RepairSummary } from './repair';

export interface GcOptions {
  /** File/etcd mode: release this node's allocations whose netns is gone. Ignored when `pods` is given. */
  readonly node?: string;
  /** Default 5 s. */
  readonly graceMs?: number;
  readonly netnsExists?: (path: string) => boolean;
  /** Kubernetes mode: the cluster's pods (k8s-pods-client.ts kubernetesPodLister). */
  readonly pods?: PodLister;
}

export interface GcResult extends RepairSummary {
  /** Problems seen on both observations (pod orphans included). */
  readonly found: number;
  /** Of `found`: allocations whose pod is gone (kubernetes mode). */
  readonly podOrphans: number;
  /** State after the repairs. */
  readonly after: CheckReport;
}

const identity = (p: Problem): string => `${p.kind} ${p.key} ${p.revision} ${p.ip ?? ''}`;
// A pod orphan is pinned by its allocation (address, allocation sequence, handle), not by the block's
// revision: on a busy node every neighbour's ADD/DEL bumps the block, and the orphan would never be seen
// twice. The release itself is sequence-checked, so nothing re-allocated in between can be hit.
const allocationIdentity = (p: Problem): string => `${p.ip} ${p.sequence} ${p.handleId}`;

export async function gcIpam(ds: Datastore, opts: GcOptions): Promise<GcResult> {
  const copts = opts.pods ? {} : { node: opts.node, netnsExists: opts.netnsExists };
  const observe = async (): Promise<{ problems: readonly Problem[]; orphans: readonly Problem[] }> => ({
    problems: (await checkIpam(ds, copts)).problems,
    orphans: opts.pods ? await findPodOrphans(ds, opts.pods) : [],
  });
  let { problems, orphans } = await observe();
  const grace = opts.graceMs ?? 5000;
  if (grace > 0 && (problems.length || orphans.length)) {
    await new Promise((r) => setTimeout(r, grace));
    const seen = new Set(problems.map(identity));
    const seenOrphans = new Set(orphans.map(allocationIdentity));
    const again = await observe();
    problems = again.problems.filter((p) => seen.has(identity(p)));
    orphans = again.orphans.filter((p) => seenOrphans.has(allocationIdentity(p)));
  }
  // An address that is both netns-leaked and pod-orphaned (or listed twice) is released once.
  const dup = new Set(problems.filter((p) => p.kind === 'leaked-ip').map(allocationIdentity));
  orphans = orphans.filter((p) => !dup.has(allocationIdentity(p)));
  problems = [...problems, ...orphans];
  const summary = await repair(ds, problems.filter((p) => p.kind !== 'corrupt-record' && p.kind !== 'block-count-mismatch'));
  // Releasing a leaked address of a handle whose count was already off changes the handle's revision,
  // so its (already grace-checked) count fix was skipped above: redo just those handles.
  const touched = new Set(problems.filter((p) => p.kind === 'leaked-ip').map((p) => p.handleId));
  const mid = await checkIpam(ds, copts);
  const follow = mid.problems.filter((p) => p.kind.startsWith('handle-') && touched.has(p.handleId));
  if (follow.length) {
    const more = await repair(ds, follow);
    summary.released += more.released;
    summary.handlesFixed += more.handlesFixed;
    summary.affinitiesFixed += more.affinitiesFixed;
    summary.skipped += more.skipped;
    summary.errors.push(...more.errors);
  }
  return { ...summary, found: problems.length, podOrphans: orphans.length, after: await checkIpam(ds, copts) };
}

/** `--grace`: `500ms`, `30s`, `5m`, `1h`, or bare seconds. */
export function parseGraceMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new IpamError(`--grace takes a duration such as 500ms, 30s or 5m, not '${text}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return Math.round(Number(m[1]) * unit);
}

export function renderGc(r: GcResult): string {
  return (
    `Found ${r.found} problems${r.podOrphans ? ` (${r.podOrphans} addresses of pods that are gone)` : ''}; released ${r.released} IPs, fixed ${r.handlesFixed} handles and ${r.affinitiesFixed} affinities, ` +
    `${r.skipped} skipped, ${r.errors.length} errors. ${r.after.problems.length} problems remain.\n` +
    r.errors.map((e) => `  error: ${e}\n`).join('')
  );
}
