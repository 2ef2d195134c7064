// bgpd's last line against a promise that rejects with nobody listening. Node's default is to crash
// the process, which would end every BGP session (and, for peers without graceful restart, withdraw
// every route of the node) because some side path — a kernel route sweep, a datastore call, a log
// shipper — had a bug. tortie's stance: a side path's bug must not kill the sessions. Keeping running
// is safe for a rejection: the code that failed was an async continuation that has already ended,
// and the parts that keep the sessions and the RIB consistent (session FSM, socket pump, RIB driver)
// are synchronous event handlers, so no half-done state change of theirs is left behind. A
// synchronous throw (uncaughtException) is different — it can stop one of those handlers halfway —
// and stays fatal (Node's default: exit, the DaemonSet restarts bgpd, peers keep routes via GR).
import type { Logger } from '../session/peer-config';

export interface RejectionGuard {
  /** Rejections seen so far. */
  readonly count: number;
  /** Removes the handler (tests; the daemon keeps it until it exits). */
  remove(): void;
}

export function guardRejections(logger: Logger, proc: NodeJS.EventEmitter = process): RejectionGuard {
  let count = 0;
  const onRejection = (reason: unknown): void => {
    count++;
    logger.error(
      { err: reason instanceof Error ? reason.stack ?? reason.message : String(reason), unhandledRejections: count },
      'unhandled promise rejection (a bug in a side path): logged, bgpd keeps running',
    );
  };
  proc.on('unhandledRejection', onRejection);
  return {
    get count() {
      return count;
    },
    remove: () => {
      proc.off('unhandledRejection', onRejection);
    },
  };
}
