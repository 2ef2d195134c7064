// Maps the loaded configuration (config/types.ts) onto the RIB's types, so the daemon wiring is a
// few calls: ribOptionsFromConfig, policiesFromConfig, ribPeerFromConfig.
import type {
  PeerConfig,
  PolicyConfig,
  PolicyMatch as ConfigMatch,
  PolicySet,
  TortieConfig,
} from '../../config/types';
import { Afi } from '../wire/types';
import type { Policy, PolicyActions, PolicyChain, PolicyMatch } from './policy';
import { parseCommunity, parseLargeCommunity } from './policy';
import type { RibOptions, RibPeerConfig, UpdateEncoder } from './types';

/** "65000:*" / "*:100" / "65000:100" -> a removal pattern (absent half = any). */
function communityPattern(text: string): { asn?: number; value?: number } {
  const [a, v] = text.split(':');
  if (a === undefined || v === undefined) throw new Error(`bad community pattern: ${text}`);
  const half = (x: string): number | undefined => {
    if (x === '*') return undefined;
    const n = Number(x);
    if (!/^\d+$/.test(x) || n > 0xffff) throw new Error(`bad community pattern: ${text}`);
    return n;
  };
  return { asn: half(a), value: half(v) };
}

function matchFromConfig(m: ConfigMatch): PolicyMatch {
  const out: PolicyMatch = {};
  if (m.prefixes) out.prefixList = m.prefixes.map((p) => ({ prefix: p.cidr, ge: p.ge, le: p.le }));
  if (m.communities) out.community = m.communities.map(parseCommunity);
  if (m.largeCommunities) out.largeCommunity = m.largeCommunities.map(parseLargeCommunity);
  if (m.asPath?.contains) out.asPathContains = m.asPath.contains;
  if (m.asPath?.origin) out.asPathOriginatesFrom = m.asPath.origin;
  if (m.asPath?.maxLength !== undefined) out.asPathMaxLength = m.asPath.maxLength;
  if (m.family) out.family = m.family === 'ipv4' ? Afi.IPv4 : Afi.IPv6;
  return out;
}

function actionsFromConfig(s: PolicySet): PolicyActions {
  const out: PolicyActions = {};
  if (s.localPref !== undefined) out.setLocalPref = s.localPref;
  if (s.med !== undefined) out.setMed = s.med;
  if (s.nextHop !== undefined) out.setNextHop = s.nextHop;
  if (s.prepend) out.prepend = { count: s.prepend.count, asn: s.prepend.asNumber };
  if (s.addCommunities) out.addCommunities = s.addCommunities.map(parseCommunity);
  if (s.removeCommunities) {
    const exact = s.removeCommunities.filter((c) => !c.includes('*'));
    const wild = s.removeCommunities.filter((c) => c.includes('*'));
    if (exact.length > 0) out.removeCommunities = exact.map(parseCommunity);
    if (wild.length > 0) out.removeCommunitiesMatching = wild.map(communityPattern);
  }
  if (s.addLargeCommunities) out.addLargeCommunities = s.addLargeCommunities.map(parseLargeCommunity);
  if (s.removeLargeCommunities) out.removeLargeCommunities = s.removeLargeCommunities.map(parseLargeCommunity);
  return out;
}

export function policyFromConfig(p: PolicyConfig): Policy {
  return {
    rules: p.rules.map((r, i) => ({
      name: `${p.name}#${i + 1}`,
      match: matchFromConfig(r.match),
      ...(r.set ? { actions: actionsFromConfig(r.set) } : {}),
      action: r.action,
    })),
    defaultAction: p.defaultAction,
  };
}

/** Every configured policy by name; build once per config so peers share Policy objects (and update groups). */
export function policiesFromConfig(cfg: TortieConfig): Map<string, Policy> {
  return new Map(cfg.policies.map((p) => [p.name, policyFromConfig(p)]));
}

function chain(names: string[], policies: Map<string, Policy>): PolicyChain | undefined {
  if (names.length === 0) return undefined;
  return names.map((n) => {
    const p = policies.get(n);
    if (!p) throw new Error(`unknown policy ${n}`);
    return p;
  });
}

export function ribPeerFromConfig(peer: PeerConfig, policies: Map<string, Policy>): RibPeerConfig {
  return {
    address: peer.address,
    remoteAs: peer.asNumber,
    rrClient: peer.routeReflectorClient,
    nextHop: peer.nextHopSelf ? 'self' : 'auto',
    allowOwnAs: peer.allowAsIn,
    importPolicy: chain(peer.importPolicy, policies),
    exportPolicy: chain(peer.exportPolicy, policies),
    ...(peer.maxPrefix ? { maxPrefix: peer.maxPrefix.limit, maxPrefixWarnOnly: peer.maxPrefix.action === 'warn' } : {}),
  };
}

export function ribOptionsFromConfig(cfg: TortieConfig, encoder: UpdateEncoder): RibOptions {
  return {
    localAs: cfg.asNumber,
    routerId: cfg.routerId,
    clusterId: cfg.routeReflector?.clusterId,
    maxPaths: cfg.multipath.maxPaths,
    encoder,
  };
}
