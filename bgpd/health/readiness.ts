// /readyz, Calico's rule (calico-node -bird-ready): a node is ready once its routing has converged, so
// a rolling update does not move on to the next node while this one's sessions are still coming up.
// Until the first convergence — every peer Established and none in a graceful restart (we still hold
// its routes stale) — and for at most `thresholdMs` after start, not ready. After that (converged, or
// the threshold passed with a peer that never came up), ready while at least one peer is Established.
// No peers at all is ready (nothing to wait for) but is no convergence — once the peer list is complete:
// with the Kubernetes datastore the mesh peers come from Node objects, so until the peer source has
// listed them (its first sync) an empty list means "not known yet", not "none", and nothing counts as
// converged. The datastore must answer.
import type { PeerHealth } from './types';

export interface Readiness {
  ready: boolean;
  datastore: boolean;
  /** The peer list is complete: the peer source (Kubernetes) has done its first sync; true without one. */
  peersSynced: boolean;
  /** 'converging': before the first convergence and within the threshold; then 'converged' or 'threshold passed'. */
  phase: 'converging' | 'converged' | 'threshold passed';
  /** Peers Established / configured. */
  established: number;
  peers: number;
  /** Peers holding readiness back, with why (while converging: every peer not yet done). */
  notReady: { name: string; state: string; gracefulRestart: boolean; downForMs: number }[];
}

const done = (p: PeerHealth): boolean => p.state === 'Established' && p.gracefulRestart !== true;

export class ReadinessGate {
  private convergedAt: number | undefined;

  constructor(
    /** ms since epoch the daemon started its sessions. */
    private readonly startedAt: number,
    /** How long after start the first convergence may take before one Established peer is enough. */
    private readonly thresholdMs: number,
  ) {}

  /** `peersSynced`: false while the peer source has not completed its first sync (more peers may come). */
  judge(datastore: boolean, peers: readonly PeerHealth[], now = Date.now(), peersSynced = true): Readiness {
    const established = peers.filter((p) => p.state === 'Established').length;
    // an empty peer list is no convergence: mesh peers may not have been added yet
    if (this.convergedAt === undefined && peersSynced && peers.length > 0 && peers.every(done)) this.convergedAt = now;
    const phase: Readiness['phase'] = this.convergedAt !== undefined ? 'converged' : now - this.startedAt > this.thresholdMs ? 'threshold passed' : 'converging';
    const bgpReady = (peers.length === 0 && peersSynced) || (phase !== 'converging' && established > 0);
    const notReady = (phase === 'converging' ? peers.filter((p) => !done(p)) : bgpReady ? [] : peers)
      .map((p) => ({ name: p.name, state: p.state, gracefulRestart: p.gracefulRestart === true, downForMs: p.state === 'Established' ? 0 : now - p.since }));
    return { ready: datastore && bgpReady, datastore, peersSynced, phase, established, peers: peers.length, notReady };
  }
}
