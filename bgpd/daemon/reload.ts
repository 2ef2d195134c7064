// SIGHUP / `bgpctl reload`: apply what changed between two valid configs, restarting only the
// sessions whose parameters changed. Identity changes (router id, AS, listen, ...) need a daemon
// restart; they are reported and left alone, everything else still applies.
import { diffConfig } from '../../config/diff';
import type { TortieConfig } from '../../config/types';
import { fromConfig } from '../speaker/peer-map';
import type { Speaker } from '../speaker/speaker';

export interface ReloadResult {
  added: string[];
  removed: string[];
  reset: string[];
  refreshed: string[];
  changed: string[];
  /** Keys that changed but need `bgpd` restarted to take effect. */
  restartRequired: string[];
}

export async function applyReload(speaker: Speaker, before: TortieConfig, after: TortieConfig, setLogLevel: (l: TortieConfig['log']['level']) => void): Promise<ReloadResult> {
  const d = diffConfig(before, after);
  // identity keys keep their old values: the running sessions were opened with them
  const node = { ...after, routerId: before.routerId, asNumber: before.asNumber };
  speaker.setPolicies(after.policies);
  for (const name of d.removedPeers) await speaker.removePeer(name, 'peer removed from configuration');
  for (const p of d.resetPeers) await speaker.replacePeer(fromConfig(node, p));
  for (const p of d.refreshPeers) speaker.refreshPeer(fromConfig(node, p));
  for (const p of d.addedPeers) speaker.addPeer(fromConfig(node, p));
  if (d.changed.includes('advertisePrefixes')) speaker.setOriginated(after.advertisePrefixes);
  if (d.changed.includes('log')) setLogLevel(after.log.level);
  return {
    added: d.addedPeers.map((p) => p.name),
    removed: d.removedPeers,
    reset: d.resetPeers.map((p) => p.name),
    refreshed: d.refreshPeers.map((p) => p.name),
    changed: d.changed,
    restartRequired: d.restartRequired,
  };
}
