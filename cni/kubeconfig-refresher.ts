// The cni-kubeconfig sidecar's loop (`tortie-install --refresh-kubeconfig`): every few seconds, ask the
// token keeper for the CNI token (it renews a tortie-cni token with a third of its life left, and re-reads
// the pod token in the fallback) and rewrite the kubeconfig when its text would change (token or CA).
// A failed round keeps the current kubeconfig, whose token is still valid for a third of its lifetime
// (8 h of a day's token): the next rounds retry.
import type { CniToken } from './cni-token';

export interface RefresherOptions {
  readonly everySec: number;
  readonly token: () => Promise<CniToken>;
  /** Writes the kubeconfig for `token` if it differs from the file; true = written. */
  readonly write: (token: string) => boolean;
  readonly log: (line: string) => void;
}

export interface Refresher {
  /** One round now (also what the timer runs); resolves when it is done. */
  tick(): Promise<void>;
  stop(): void;
}

export function startKubeconfigRefresher(o: RefresherOptions): Refresher {
  let running: Promise<void> | undefined;
  const round = async (): Promise<void> => {
    try {
      o.write((await o.token()).token);
    } catch (err) {
      o.log(`error: ${(err as Error).message} (the kubeconfig is kept; retrying in ${o.everySec} s)`);
    }
  };
  // A slow apiserver must not stack rounds up: a tick while one runs joins it.
  const tick = (): Promise<void> => (running ??= round().finally(() => (running = undefined)));
  void tick();
  const timer = setInterval(() => void tick(), o.everySec * 1000);
  return { tick, stop: () => clearInterval(timer) };
}
