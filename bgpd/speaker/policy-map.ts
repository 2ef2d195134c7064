// Config policies (YAML shape, config/types.ts) → the RIB's typed policies (bgpd/rib/policy.ts).
// The two were designed apart: the config speaks in operator words (prefixes, "65000:*"), the RIB in
// numbers. Everything here is a pure translation; the config loader already validated every value.
import type { PolicyConfig, PolicyMatch as CfgMatch, PolicySet } from '../../config/types';
import { parseCommunity } from '../rib/policy';
import type { Policy, PolicyActions, PolicyMatch, PolicyRule } from '../rib/policy';
import type { LargeCommunity } from '../wire/types';
import { Afi } from '../wire/types';

const BLACKHOLE = 0xffff029a;

export function communityValue(text: string): number {
  return text.toLowerCase() === 'blackhole' ? BLACKHOLE : parseCommunity(text);
}

export function largeCommunityValue(text: string): LargeCommunity {
  const [g, a, b] = text.split(':').map(Number);
  return { global: g ?? 0, local1: a ?? 0, local2: b ?? 0 };
}

function mapMatch(m: CfgMatch): PolicyMatch {
  const out: PolicyMatch = {};
  if (m.prefixes?.length) out.prefixList = m.prefixes.map((p) => ({ prefix: p.cidr, ge: p.ge, le: p.le }));
  if (m.communities?.length) out.community = m.communities.map(communityValue);
  if (m.largeCommunities?.length) out.largeCommunity = m.largeCommunities.map(largeCommunityValue);
  if (m.asPath?.contains?.length) out.asPathContains = m.asPath.contains;
  if (m.asPath?.origin?.length) out.asPathOriginatesFrom = m.asPath.origin;
  if (m.asPath?.maxLength !== undefined) out.asPathMaxLength = m.asPath.maxLength;
  if (m.family) out.family = m.family === 'ipv6' ? Afi.IPv6 : Afi.IPv4;
  return out;
}

/** "65000:*" / "*:100" → a wildcard matcher; exact values stay exact. */
function splitRemovals(list: string[]): Pick<PolicyActions, 'removeCommunities' | 'removeCommunitiesMatching'> {
  const exact: number[] = [];
  const wild: { asn?: number; value?: number }[] = [];
  for (const c of list) {
    if (!c.includes('*')) {
      exact.push(communityValue(c));
      continue;
    }
    const [a, v] = c.split(':');
    wild.push({ ...(a !== '*' ? { asn: Number(a) } : {}), ...(v !== '*' ? { value: Number(v) } : {}) });
  }
  return { ...(exact.length ? { removeCommunities: exact } : {}), ...(wild.length ? { removeCommunitiesMatching: wild } : {}) };
}

function mapSet(s: PolicySet): PolicyActions {
  const a: PolicyActions = {};
  if (s.localPref !== undefined) a.setLocalPref = s.localPref;
  if (s.med !== undefined) a.setMed = s.med;
  if (s.nextHop !== undefined) a.setNextHop = s.nextHop;
  if (s.prepend) a.prepend = { count: s.prepend.count, ...(s.prepend.asNumber !== undefined ? { asn: s.prepend.asNumber } : {}) };
  if (s.addCommunities?.length) a.addCommunities = s.addCommunities.map(communityValue);
  if (s.removeCommunities?.length) Object.assign(a, splitRemovals(s.removeCommunities));
  if (s.addLargeCommunities?.length) a.addLargeCommunities = s.addLargeCommunities.map(largeCommunityValue);
  // the RIB removes large communities by exact value only; wildcard entries cannot be expressed
  const exactLarge = (s.removeLargeCommunities ?? []).filter((c) => !c.includes('*'));
  if (exactLarge.length) a.removeLargeCommunities = exactLarge.map(largeCommunityValue);
  return a;
}

export function mapPolicy(p: PolicyConfig): Policy {
  const rules: PolicyRule[] = p.rules.map((r, i) => ({
    name: `${p.name}[${i}]`,
    match: mapMatch(r.match),
    action: r.action,
    ...(r.set ? { actions: mapSet(r.set) } : {}),
  }));
  return { rules, defaultAction: p.defaultAction };
}

/** Policies by name, ready to hand to the RIB per peer. */
export function mapPolicies(list: readonly PolicyConfig[]): Map<string, Policy> {
  return new Map(list.map((p) => [p.name, mapPolicy(p)]));
}

/** A peer's list of policy names → the RIB chain (undefined = built-in behaviour only). */
export function policyChain(names: readonly string[], byName: ReadonlyMap<string, Policy>): Policy[] | undefined {
  const chain = names.map((n) => byName.get(n)).filter((p): p is Policy => p !== undefined);
  return chain.length > 0 ? chain : undefined;
}
