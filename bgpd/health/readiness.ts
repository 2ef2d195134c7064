// /readyz: ready when the datastore answers and every peer is Established or still inside its grace
// time (a session that just started or just dropped gets `graceMs` to come up before it counts).
import type { PeerHealth } from './types';

export interface Readiness {
  ready: boolean;
  datastore: boolean;
  /** Peers holding readiness back, with why. */
  notReady: { name: string; state: string; downForMs: number }[];
}

export function judgeReadiness(datastore: boolean, peers: readonly PeerHealth[], graceMs: number, now = Date.now()): Readiness {
  const notReady = peers
    .filter((p) => p.state !== 'Established' && now - p.since > graceMs)
    .map((p) => ({ name: p.name, state: p.state, downForMs: now - p.since }));
  return { ready: datastore && notReady.length === 0, datastore, notReady };
}
