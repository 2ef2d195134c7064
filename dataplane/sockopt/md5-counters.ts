// The kernel's TCP-MD5 drop counters. A segment with a wrong, missing or unexpected signature is
// dropped without a word to the application (only a rate-limited kernel log line), so these
// counters are the one place a password mismatch shows. Plain file reads: no koffi.
import * as fs from 'node:fs';

export interface TcpMd5Counters {
  /** TCPMD5Failure: signed with a key other than ours (different passwords). */
  wrongSignature: number;
  /** TCPMD5NotFound: we have a key for the sender, the segment is unsigned (their password missing). */
  missingSignature: number;
  /** TCPMD5Unexpected: signed, and we have no key for the sender (our password missing). */
  unexpectedSignature: number;
}

/** From /proc/net/netstat text (a "TcpExt:" header line, then a "TcpExt:" value line). */
export function parseTcpMd5Counters(netstat: string): TcpMd5Counters | undefined {
  const lines = netstat.split('\n').filter((l) => l.startsWith('TcpExt:'));
  if (lines.length < 2) return undefined;
  const names = lines[0]!.trim().split(/\s+/);
  const values = lines[1]!.trim().split(/\s+/);
  const get = (n: string): number | undefined => {
    const i = names.indexOf(n);
    return i < 0 ? undefined : Number(values[i]);
  };
  const wrongSignature = get('TCPMD5Failure');
  const missingSignature = get('TCPMD5NotFound');
  const unexpectedSignature = get('TCPMD5Unexpected');
  if (wrongSignature === undefined || missingSignature === undefined || unexpectedSignature === undefined) return undefined;
  return { wrongSignature, missingSignature, unexpectedSignature };
}

/** This network namespace's counters (/proc/net follows the reading thread), undefined if unreadable. */
export function readTcpMd5Counters(): TcpMd5Counters | undefined {
  try {
    return parseTcpMd5Counters(fs.readFileSync('/proc/net/netstat', 'utf8'));
  } catch {
    return undefined;
  }
}
