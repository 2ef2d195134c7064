// Session roles: what happens to attributes on import from, and export to, eBGP peers, iBGP peers,
// route-reflector clients and non-clients (RFC 4271 §9, RFC 4456, RFC 1997, RFC 8326).
import { WellKnownCommunity } from '../wire/types';
import type { PathAttributes } from '../wire/types';
import { countAs, prependAs } from './as-path';
import type { RouteSource } from './policy';
import type { NextHopMode } from './types';

/** What the roles need to know about one side of a session. */
export interface SessionRole {
  ebgp: boolean;
  /** iBGP peer that is one of our route-reflector clients. */
  rrClient: boolean;
  localAs: number;
  allowOwnAs: number;
  nextHop: NextHopMode;
  allowTransit: boolean;
  sendMed: boolean;
}

export interface RouterIdentity {
  routerId: string;
  /** Set when we are a route reflector. */
  clusterId?: string;
  defaultLocalPref: number;
}

/** Import loop checks: true when the route must be ignored (treated as withdrawn). */
export function importLoops(role: SessionRole, a: PathAttributes, me: RouterIdentity): boolean {
  if (role.ebgp) return countAs(a.asPath, role.localAs) > role.allowOwnAs;
  if (a.originatorId !== undefined && a.originatorId === me.routerId) return true;
  if (me.clusterId !== undefined && (a.clusterList ?? []).includes(me.clusterId)) return true;
  return false;
}

/** Attribute changes on import, before policy. Returns the input object when nothing changes. */
export function importTransform(role: SessionRole, a: PathAttributes): PathAttributes {
  const gshut = (a.communities ?? []).includes(WellKnownCommunity.GRACEFUL_SHUTDOWN);
  const ebgpJunk = role.ebgp && (a.localPref !== undefined || a.originatorId !== undefined || a.clusterList !== undefined);
  if (!gshut && !ebgpJunk) return a;
  const out: PathAttributes = { ...a };
  if (role.ebgp) {
    // LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST are iBGP-only; an eBGP neighbour's values mean nothing here
    delete out.localPref;
    delete out.originatorId;
    delete out.clusterList;
  }
  // RFC 8326: the sender is about to go away; prefer any alternative
  if (gshut) out.localPref = 0;
  return out;
}

/** Where a Loc-RIB path came from, as the export rules see it. */
export interface PathSource {
  kind: RouteSource;
  rrClient: boolean;
  /** BGP identifier of the peer we learned it from (ORIGINATOR_ID when reflecting). */
  routerId: string;
}

/**
 * Role filter on export (before policy; policy cannot override it): NO_ADVERTISE, NO_EXPORT,
 * iBGP split horizon and the RFC 4456 reflection rules.
 */
export function exportAllowed(
  src: PathSource,
  target: SessionRole,
  me: RouterIdentity,
  flags: { noExport: boolean; noAdvertise: boolean },
): boolean {
  if (flags.noAdvertise) return false;
  if (target.ebgp) return !flags.noExport;
  if (src.kind !== 'ibgp') return true;
  // iBGP-learned toward iBGP: only a reflector passes it on (client routes to all, others to clients)
  if (me.clusterId === undefined) return false;
  return src.rrClient || target.rrClient;
}

/** Export when no policy decided: to eBGP only locally originated routes unless transit is allowed. */
export function builtinExport(src: PathSource, target: SessionRole): boolean {
  return !target.ebgp || src.kind === 'local' || target.allowTransit;
}

/** Attribute changes on export, after policy. `setByPolicy` keeps what an export rule set explicitly. */
export function exportTransform(
  src: PathSource,
  target: SessionRole,
  me: RouterIdentity,
  a: PathAttributes,
  selfAddress: string | undefined,
  setByPolicy: { nextHop: boolean; med: boolean },
): PathAttributes {
  const out: PathAttributes = { ...a };
  const policyNh = !setByPolicy.nextHop ? undefined : a.nextHop === 'self' ? selfAddress : a.nextHop;
  if (target.ebgp) {
    out.asPath = prependAs(a.asPath, target.localAs, 1);
    delete out.localPref;
    delete out.originatorId;
    delete out.clusterList;
    if (!setByPolicy.med && src.kind !== 'local' && !target.sendMed) delete out.med;
    const keep = target.nextHop === 'keep' && src.kind !== 'local' && a.nextHop !== undefined;
    out.nextHop = policyNh ?? (keep ? a.nextHop : selfAddress);
  } else {
    out.localPref = a.localPref ?? me.defaultLocalPref;
    const learned = src.kind !== 'local' && a.nextHop !== undefined;
    const self = target.nextHop === 'self' || !learned;
    out.nextHop = policyNh ?? (self ? selfAddress : a.nextHop);
    if (src.kind === 'ibgp' && me.clusterId !== undefined) {
      out.originatorId = a.originatorId ?? src.routerId;
      out.clusterList = [me.clusterId, ...(a.clusterList ?? [])];
    }
  }
  if (out.nextHop === undefined) delete out.nextHop;
  return out;
}
