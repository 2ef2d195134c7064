// The route programmer's public surface (bgpd feeds it; it never imports bgpd).
export { RouteProgrammer } from './programmer';
export { installProtoName, PROTO_NAME_DIR } from './proto-name';
export {
  TUNL_DEV, VXLAN_DEV, VXLAN_VNI, VXLAN_PORT, IPIP_OVERHEAD, VXLAN_OVERHEAD, remoteRoute, localBlockRoute, routeSignature,
} from './desired';
export type { DesiredRoute, DesiredVtep, BuildResult } from './desired';
export { inSubnet, canonicalPrefix, subnetMatcher } from './subnet';
export { vtepMacFor } from './vtep-mac';
export type {
  Encap, Vtep, RemoteNextHop, RemoteRoute, LocalBlock, NodeFacts, ProgrammerOptions, RouteState, RouteSnapshot,
  ProgrammerCounters, ProgrammerSnapshot,
} from './types';
