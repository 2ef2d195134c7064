// Applies the fixes for problems found by `check` (used by `release --from-report` and `gc`).
// Every fix re-verifies against the datastore and is a CAS on the revision the problem was seen at,
// so a record that changed since the report is skipped, never clobbered. Corrupt records are never
// touched: they need a human.
import type { Datastore } from '../datastore';
import { handleKey } from '../keys';
import { Ipam } from '../ipam';
import type { HandleRecord } from '../model';
import type { Problem } from './check';

export interface RepairSummary {
  /** Addresses released. */
  released: number;
  /** Addresses the report called leaked that were already free or re-allocated. */
  alreadyClean: number;
  handlesFixed: number;
  affinitiesFixed: number;
  /** Problems not fixed because the record changed since the report (or is corrupt). */
  skipped: number;
  errors: string[];
}

export async function repair(ds: Datastore, problems: readonly Problem[], ipam = new Ipam(ds)): Promise<RepairSummary> {
  const s: RepairSummary = { released: 0, alreadyClean: 0, handlesFixed: 0, affinitiesFixed: 0, skipped: 0, errors: [] };
  const attempt = async (p: Problem, fn: () => Promise<boolean>): Promise<boolean> => {
    try {
      const ok = await fn();
      if (!ok) s.skipped++;
      return ok;
    } catch (err) {
      s.errors.push(`${p.kind} ${p.key}: ${(err as Error).message}`);
      return false;
    }
  };
  // Addresses first: releasing them can resolve handle problems too.
  const ipProblems = problems.filter((p) => (p.kind === 'leaked-ip' || p.kind === 'allocation-without-handle') && p.ip);
  if (ipProblems.length) {
    try {
      const out = await ipam.releaseIps(ipProblems.map((p) => ({ ip: p.ip!, sequence: p.sequence, handleId: p.handleId })));
      for (const r of out.values()) if (r === 'released') s.released++;
      else s.alreadyClean++;
    } catch (err) {
      s.errors.push(`release: ${(err as Error).message}`);
    }
  }
  for (const p of problems) {
    switch (p.kind) {
      case 'handle-without-allocations':
      case 'handle-count-mismatch':
        if (await attempt(p, () => fixHandle(ds, ipam, p))) s.handlesFixed++;
        break;
      case 'affinity-without-block':
        if (await attempt(p, () => fixAffinity(ipam, p))) s.affinitiesFixed++;
        break;
      case 'block-without-affinity':
        if (await attempt(p, () => restoreAffinity(ipam, p))) s.affinitiesFixed++;
        break;
      case 'corrupt-record':
      case 'block-count-mismatch':
      // which of two overlapping blocks to drop (and whose pods to move) is the operator's call
      case 'overlapping-blocks':
        s.skipped++;
        break;
      default:
        break;
    }
  }
  return s;
}

/** Sets the handle's counts to what the blocks hold now (deleting it when that is nothing). */
async function fixHandle(ds: Datastore, ipam: Ipam, p: Problem): Promise<boolean> {
  const h = await ipam.res.getHandle(p.handleId!);
  if (!h) return true; // already gone
  if (h.revision !== p.revision) return false;
  const counts: Record<string, number> = {};
  for (const cidr of new Set([...Object.keys(h.value.block), ...Object.keys(p.actual ?? {})])) {
    const sb = await ipam.res.getBlock(cidr);
    const n = sb?.block.ordinalsOf(p.handleId!).length ?? 0;
    if (n) counts[cidr] = n;
  }
  if (Object.keys(counts).length === 0) return (await ds.delete(h.key, h.revision)).ok;
  const value: HandleRecord = { handleId: p.handleId!, block: counts };
  return (await ds.update(handleKey(p.handleId!), JSON.stringify(value), h.revision)).ok;
}

/** A dangling or half-done affinity: finish a pending claim, finish a release, or drop it. */
async function fixAffinity(ipam: Ipam, p: Problem): Promise<boolean> {
  const a = await ipam.res.getAffinity(p.node!, p.block!);
  if (!a) return true;
  if (a.revision !== p.revision) return false;
  const sb = await ipam.res.getBlock(p.block!);
  if (sb && sb.block.affinity === `host:${p.node}`) {
    if (a.value.state === 'pending') {
      await ipam.res.setAffinity(p.node!, p.block!, 'confirmed', a.revision);
      return true;
    }
    // pendingDeletion left by a crash: finish the release if the block is empty, else the node keeps it.
    await ipam.releaseAffinity(p.node!, p.block!, { requireEmpty: true });
    return true;
  }
  return ipam.res.deleteAffinity(a);
}

async function restoreAffinity(ipam: Ipam, p: Problem): Promise<boolean> {
  const sb = await ipam.res.getBlock(p.block!);
  if (!sb || sb.revision !== p.revision || sb.block.affinity !== `host:${p.node}`) return false;
  if (await ipam.res.getAffinity(p.node!, p.block!)) return true;
  await ipam.res.setAffinity(p.node!, p.block!, 'confirmed');
  return true;
}
