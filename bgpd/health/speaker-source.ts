// Adapts the running speaker to the health server's plain peer view.
import type { Speaker } from '../speaker/speaker';
import type { PeerHealth } from './types';

export function speakerPeers(speaker: Speaker): PeerHealth[] {
  return speaker.peers().map((rt) => {
    const snap = rt.session.snapshot();
    const stats = speaker.rib.peerStats(rt.ribId);
    return {
      name: rt.peer.name,
      address: rt.peer.address,
      state: snap.state,
      since: snap.since,
      prefixesReceived: stats.received,
      prefixesAccepted: stats.accepted,
      prefixesSent: stats.advertised,
      updatesIn: snap.counters.messagesIn.update,
      updatesOut: snap.counters.messagesOut.update,
      gracefulRestart: rt.staleUntil !== undefined,
    };
  });
}
