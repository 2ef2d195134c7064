// The interned attribute set of a Loc-RIB path, with the facts the decision process and the export
// rules read precomputed once per set. The source peer is part of the key (like BIRD's rta), so
// everything about a path can be answered from its attribute-set id alone.
import { WellKnownCommunity } from '../wire/types';
import type { PathAttributes } from '../wire/types';
import { asPathLength, neighborAs } from './as-path';
import type { Interned } from './intern-table';
import { ipv4ToNumber } from './prefix-key';
import type { PeerId } from './types';

export interface RibAttr extends Interned {
  readonly attrs: PathAttributes;
  readonly peer: PeerId;
  readonly localPref: number;
  readonly med: number;
  readonly asPathLen: number;
  readonly origin: number;
  readonly neighborAs: number;
  /** ORIGINATOR_ID as a number, or -1 when absent. */
  readonly originatorId: number;
  readonly clusterLen: number;
  readonly noExport: boolean;
  readonly noAdvertise: boolean;
}

export function makeRibAttr(key: string, peer: PeerId, attrs: PathAttributes, defaultLocalPref: number): RibAttr {
  const comms = attrs.communities ?? [];
  return {
    key,
    attrs,
    peer,
    localPref: attrs.localPref ?? defaultLocalPref,
    // RFC 4271 §9.1.2.2 c: a missing MED is the lowest possible value
    med: attrs.med ?? 0,
    asPathLen: asPathLength(attrs.asPath),
    origin: attrs.origin ?? 0,
    neighborAs: neighborAs(attrs.asPath),
    originatorId: attrs.originatorId !== undefined ? ipv4ToNumber(attrs.originatorId) : -1,
    clusterLen: attrs.clusterList?.length ?? 0,
    noExport: comms.includes(WellKnownCommunity.NO_EXPORT) || comms.includes(WellKnownCommunity.NO_EXPORT_SUBCONFED),
    noAdvertise: comms.includes(WellKnownCommunity.NO_ADVERTISE),
  };
}
