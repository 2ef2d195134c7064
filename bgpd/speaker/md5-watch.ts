// A TCP-MD5 password mismatch is invisible to us: the kernel drops the segments (wrong signature,
// missing signature, or a signature where we hold no key) and the session just never connects.
// This watch turns the namespace's drop counters into a log line naming the peers left waiting.
import { readTcpMd5Counters } from '../../dataplane/sockopt/md5-counters';
import type { TcpMd5Counters } from '../../dataplane/sockopt/md5-counters';
import type { Logger } from '../session/peer-config';

export interface WatchedPeer {
  name: string;
  /** FSM state name */
  state: string;
  hasPassword: boolean;
}

export interface Md5DropWatchOptions {
  peers: () => WatchedPeer[];
  logger: Logger;
  /** Default 30 s: at most one warning per interval. */
  intervalMs?: number;
  /** Default: this namespace's /proc/net/netstat. */
  read?: () => TcpMd5Counters | undefined;
}

/** States of a session that has no TCP connection: where dropped segments leave it. */
const WAITING = new Set(['Connect', 'Active']);

export class Md5DropWatch {
  private last: TcpMd5Counters | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly read: () => TcpMd5Counters | undefined;

  constructor(private readonly opts: Md5DropWatchOptions) {
    this.read = opts.read ?? readTcpMd5Counters;
  }

  start(): void {
    if (this.timer) return;
    this.last = this.read();
    this.timer = setInterval(() => this.check(), this.opts.intervalMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One look: warns when the counters grew since the last look while some peers wait for a
   * connection. The counters are per namespace, not per peer, hence "check these peers".
   */
  check(): boolean {
    const now = this.read();
    const prev = this.last;
    this.last = now;
    if (!now || !prev) return false;
    const delta: TcpMd5Counters = {
      wrongSignature: now.wrongSignature - prev.wrongSignature,
      missingSignature: now.missingSignature - prev.missingSignature,
      unexpectedSignature: now.unexpectedSignature - prev.unexpectedSignature,
    };
    if (delta.wrongSignature + delta.missingSignature + delta.unexpectedSignature <= 0) return false;
    const waiting = this.opts.peers().filter((p) => WAITING.has(p.state));
    if (waiting.length === 0) return false;
    this.opts.logger.warn(
      { ...delta, peers: waiting.map((p) => `${p.name} (${p.hasPassword ? 'password set' : 'no password'})`) },
      'the kernel dropped TCP segments over TCP-MD5 signatures while these peers have no connection: check that both ends use the same password (or both none)',
    );
    return true;
  }
}
