// What a BGPConfiguration makes a node advertise besides its pod blocks, and with which communities
// (Calico, calico.md §4.4 step 4 and §4.7): every node originates the service CIDRs (ECMP across the
// cluster; kube-proxy on the node forwards), except that nodes labelled as excluded from external load
// balancers keep out of the external / LoadBalancer ranges. Routes inside any service range learned
// from peers are never programmed into the kernel — another node's service route must not pull
// traffic for a ClusterIP off this node. Pure; the agent applies the result.
import { Cidr } from '../../ipam/cidr';
import { communityValue, largeCommunityValue } from '../speaker/policy-map';
import type { OriginAttributes } from '../speaker/speaker';
import type { NodeBgpConfig, PrefixAdvertisement } from './k8s-bgpconfig';

/** The speaker's origination source for service CIDRs (pod blocks are 'ipam', the config file's 'config'). */
export const SERVICE_SOURCE = 'k8s-services';
/** Kubernetes' well-known label: the node takes no external load-balancer traffic. */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface Advertisements {
  /** Service CIDRs this node originates. */
  services: string[];
  /** Every service range: learned routes inside them are not programmed. */
  noProgram: string[];
  /** Communities for the originated prefixes inside each cidr. */
  prefixAdvertisements: PrefixAdvertisement[];
}

export function advertisementsFor(cfg: NodeBgpConfig, nodeLabels: Readonly<Record<string, string>>): Advertisements {
  const excluded = EXCLUDE_LB_LABEL in nodeLabels;
  const external = [...cfg.serviceExternalIPs, ...cfg.serviceLoadBalancerIPs];
  const uniq = (l: string[]): string[] => [...new Set(l)].sort();
  return {
    services: uniq([...cfg.serviceClusterIPs, ...(excluded ? [] : external)]),
    noProgram: uniq([...cfg.serviceClusterIPs, ...external]),
    prefixAdvertisements: cfg.prefixAdvertisements,
  };
}

/** The communities of every prefixAdvertisement whose cidr holds `prefix` (union, in order, once each). */
export function originAttributes(prefix: string, ads: readonly PrefixAdvertisement[]): OriginAttributes {
  const p = Cidr.parse(prefix, false);
  const values = new Set<string>();
  if (p) for (const ad of ads) if (Cidr.parse(ad.cidr)?.containsCidr(p)) for (const c of ad.communities) values.add(c);
  const list = [...values];
  const std = list.filter((c) => c.split(':').length === 2);
  const large = list.filter((c) => c.split(':').length === 3);
  return {
    ...(std.length ? { communities: std.map(communityValue) } : {}),
    ...(large.length ? { largeCommunities: large.map(largeCommunityValue) } : {}),
  };
}

/** Whether `prefix` lies inside one of `ranges` (parsed once by the caller). */
export function insideAny(prefix: string, ranges: readonly Cidr[]): boolean {
  const p = Cidr.parse(prefix, false);
  return p !== undefined && ranges.some((r) => r.containsCidr(p));
}
