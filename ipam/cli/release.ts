// `ipam release --ip X` and `ipam release --from-report F`.
import { readFileSync } from 'node:fs';
import { canonicalIp } from '../cidr';
import type { Datastore } from '../datastore';
import { InvalidAddressError, IpamError } from '../errors';
import { Ipam } from '../ipam';
import type { CheckReport } from './check';
import { repair, type RepairSummary } from './repair';

export interface ReleaseIpResult {
  readonly ip: string;
  readonly released: boolean;
  readonly message: string;
}

/** Releases one address regardless of handle or sequence (an operator's decision). */
export async function releaseIp(ds: Datastore, ip: string): Promise<ReleaseIpResult> {
  const canon = canonicalIp(ip);
  if (!canon) throw new InvalidAddressError(ip);
  const out = await new Ipam(ds).releaseIps([{ ip: canon }]);
  const released = out.get(canon) === 'released';
  return { ip: canon, released, message: released ? `Successfully released IP address ${canon}` : `IP address ${canon} is not assigned` };
}

export class BadReportError extends IpamError {}

export function readReport(path: string): CheckReport {
  let r: CheckReport;
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as CheckReport;
  } catch (err) {
    throw new BadReportError(`cannot read report ${path}: ${(err as Error).message}`);
  }
  if (r?.version !== 1 || !Array.isArray(r.problems)) throw new BadReportError(`${path} is not an ipam check report (version 1)`);
  return r;
}

export async function releaseFromReport(ds: Datastore, report: CheckReport): Promise<RepairSummary> {
  if (report.datastore !== ds.kind) throw new BadReportError(`report was made on a ${report.datastore} datastore, this is ${ds.kind}`);
  return repair(ds, report.problems);
}

export function renderRepair(s: RepairSummary): string {
  const lines = [
    `Released ${s.released} IPs successfully`,
    `${s.alreadyClean} addresses marked as leaked in the report had already been cleaned up.`,
    `Fixed ${s.handlesFixed} handles and ${s.affinitiesFixed} affinities; ${s.skipped} skipped (changed since the report, or corrupt); ${s.errors.length} errors.`,
    ...s.errors.map((e) => `  error: ${e}`),
  ];
  return lines.join('\n') + '\n';
}
