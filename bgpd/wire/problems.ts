// Building blocks for WireProblem records: every decode problem carries the offending bytes as
// hex so that a log line is enough to reproduce the input.
import type { ErrorAction, WireProblem } from './types';

const HEX_LIMIT = 64;

/** Lower-case hex of at most 64 bytes; longer input ends in "…" so truncation is visible. */
export function hexOf(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const stop = Math.min(end, start + HEX_LIMIT);
  let s = Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, stop - start)).toString('hex');
  if (end > stop) s += '…';
  return s;
}

export function problem(
  action: ErrorAction,
  reason: string,
  bytes: Uint8Array,
  attrType?: number,
  start = 0,
  end = bytes.length,
): WireProblem {
  const p: WireProblem = { action, reason, hex: hexOf(bytes, start, end) };
  if (attrType !== undefined) p.attrType = attrType;
  return p;
}
