// What changed between two valid configs, for a reload (SIGHUP) that keeps untouched sessions up:
// which peers to add, remove or reset, which only need their policies re-run (route refresh / soft
// reset), and which top-level settings cannot change without restarting the daemon.
import { peersForThisNode } from './peers';
import type { PeerConfig, TortieConfig } from './types';

export interface ConfigDiff {
  /** Top-level keys whose change needs a daemon restart (identity, listening socket, datastore). */
  restartRequired: string[];
  addedPeers: PeerConfig[];
  /** Names of peers that are gone. */
  removedPeers: string[];
  /** Peers whose session parameters changed: tear down and re-establish. */
  resetPeers: PeerConfig[];
  /** Peers where only import/export policy (or a policy they use) changed: re-evaluate routes, keep the session. */
  refreshPeers: PeerConfig[];
  /** Other top-level keys that changed and can be applied live (pools, advertisePrefixes, timers, log...). */
  changed: string[];
}

const RESTART_KEYS = ['nodeName', 'routerId', 'asNumber', 'listen', 'datastore', 'kubernetes', 'control', 'health', 'kernelRoutes'] as const;
const POLICY_KEYS = new Set(['importPolicy', 'exportPolicy']);

// key order must not matter: optional keys are added in different orders
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
const same = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Compare peers by name: renaming a peer is a remove plus an add. */
export function diffConfig(before: TortieConfig, after: TortieConfig): ConfigDiff {
  const restartRequired = RESTART_KEYS.filter((k) => !same(before[k], after[k]));

  const changedPolicies = new Set<string>();
  const oldPolicies = new Map(before.policies.map((p) => [p.name, p]));
  for (const p of after.policies) if (!same(oldPolicies.get(p.name), p)) changedPolicies.add(p.name);
  for (const p of before.policies) if (!after.policies.some((q) => q.name === p.name)) changedPolicies.add(p.name);

  const beforePeers = peersForThisNode(before);
  const afterPeers = peersForThisNode(after);
  const oldPeers = new Map(beforePeers.map((p) => [p.name, p]));
  const diff: ConfigDiff = { restartRequired: [...restartRequired], addedPeers: [], removedPeers: [], resetPeers: [], refreshPeers: [], changed: [] };
  for (const peer of afterPeers) {
    const old = oldPeers.get(peer.name);
    if (!old) { diff.addedPeers.push(peer); continue; }
    const keys = (Object.keys({ ...old, ...peer }) as (keyof PeerConfig)[]).filter((k) => !same(old[k], peer[k]));
    const usesChangedPolicy = [...peer.importPolicy, ...peer.exportPolicy].some((n) => changedPolicies.has(n));
    if (keys.some((k) => !POLICY_KEYS.has(k))) diff.resetPeers.push(peer);
    else if (keys.length > 0 || usesChangedPolicy) diff.refreshPeers.push(peer);
  }
  for (const peer of beforePeers) if (!afterPeers.some((p) => p.name === peer.name)) diff.removedPeers.push(peer.name);

  const handled = new Set<string>([...RESTART_KEYS, 'peers', 'policies']);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof TortieConfig>;
  for (const k of keys) if (!handled.has(k) && !same(before[k], after[k])) diff.changed.push(k);
  if (changedPolicies.size > 0) diff.changed.push('policies');
  return diff;
}
