// The RIB's public surface.
export { Rib } from './rib';
export { wireEncoder } from './wire-encoder';
export { RibDriver } from './driver';
export { policyFromConfig, policiesFromConfig, ribPeerFromConfig, ribOptionsFromConfig } from './from-config';
export { lookup, locRibRoutes, adjRibIn, adjRibOut, page } from './queries';
export { compilePolicy, parseCommunity, parseLargeCommunity, ACCEPT_ALL } from './policy';
export type { Policy, PolicyChain, PolicyRule, PolicyMatch, PolicyActions, PrefixListEntry, RouteSource } from './policy';
export { prefixKey, prefixText } from './prefix-key';
export { LOCAL_PEER } from './types';
export type {
  BestChange, NextHop, NextHopSet, NextHopMode, PathView, PeerId, PeerRibStats, PeerUpInfo, RibOptions,
  RibPeerConfig, RouteView, UpdateEncoder,
} from './types';
