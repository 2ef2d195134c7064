// `ipam gc` (file/etcd mode, run on a node): releases allocations of this node whose container network
// namespace no longer exists, and repairs handle/affinity leftovers of crashed operations.
// A problem is only acted on if it is seen twice, `graceMs` apart, on an unchanged record: an
// operation in flight (handle already incremented, block not yet written) looks exactly like a crash
// leftover for a moment, and must not be "repaired" under its feet.
import type { Datastore } from '../datastore';
import { checkIpam, type CheckReport, type Problem } from './check';
import { repair, type RepairSummary } from './repair';

export interface GcOptions {
  readonly node: string;
  /** Default 5 s. */
  readonly graceMs?: number;
  readonly netnsExists?: (path: string) => boolean;
}

export interface GcResult extends RepairSummary {
  readonly found: number;
  /** State after the repairs. */
  readonly after: CheckReport;
}

const identity = (p: Problem): string => `${p.kind} ${p.key} ${p.revision} ${p.ip ?? ''}`;

export async function gcIpam(ds: Datastore, opts: GcOptions): Promise<GcResult> {
  const copts = { node: opts.node, netnsExists: opts.netnsExists };
  const first = await checkIpam(ds, copts);
  let problems = first.problems;
  const grace = opts.graceMs ?? 5000;
  if (grace > 0 && problems.length) {
    await new Promise((r) => setTimeout(r, grace));
    const seen = new Set(problems.map(identity));
    problems = (await checkIpam(ds, copts)).problems.filter((p) => seen.has(identity(p)));
  }
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
  return { ...summary, found: problems.length, after: await checkIpam(ds, copts) };
}

export function renderGc(r: GcResult): string {
  return (
    `Found ${r.found} problems; released ${r.released} IPs, fixed ${r.handlesFixed} handles and ${r.affinitiesFixed} affinities, ` +
    `${r.skipped} skipped, ${r.errors.length} errors. ${r.after.problems.length} problems remain.\n` +
    r.errors.map((e) => `  error: ${e}\n`).join('')
  );
}
