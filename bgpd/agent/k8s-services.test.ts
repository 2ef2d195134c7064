import { describe, expect, it } from 'vitest';
import { Cidr } from '../../ipam/cidr';
import type { NodeBgpConfig } from './k8s-bgpconfig';
import { advertisementsFor, EXCLUDE_LB_LABEL, insideAny, originAttributes } from './k8s-services';

const cfg = (over: Partial<NodeBgpConfig> = {}): NodeBgpConfig => ({
  asNumber: 64512, nodeToNodeMesh: true, listenPort: 179,
  serviceClusterIPs: ['10.96.0.0/12'], serviceExternalIPs: ['198.18.100.0/24'], serviceLoadBalancerIPs: ['198.18.101.0/24'],
  prefixAdvertisements: [], ...over,
});

describe('advertisementsFor', () => {
  it('originates every service range; an excluded node keeps only the cluster IPs, but programs none of them', () => {
    expect(advertisementsFor(cfg(), {}).services).toEqual(['10.96.0.0/12', '198.18.100.0/24', '198.18.101.0/24']);
    const excluded = advertisementsFor(cfg(), { [EXCLUDE_LB_LABEL]: '' });
    expect(excluded.services).toEqual(['10.96.0.0/12']);
    expect(excluded.noProgram).toEqual(['10.96.0.0/12', '198.18.100.0/24', '198.18.101.0/24']);
  });
});

describe('originAttributes', () => {
  const ads = [
    { cidr: '10.244.0.0/16', communities: ['64512:100', '64512:1:2'] },
    { cidr: '10.244.1.0/24', communities: ['64512:100', '65000:7'] },
  ];
  it('unites the communities of every cidr holding the prefix, standard and large apart', () => {
    expect(originAttributes('10.244.1.64/26', ads)).toEqual({
      communities: [64512 * 65536 + 100, 65000 * 65536 + 7],
      largeCommunities: [{ global: 64512, local1: 1, local2: 2 }],
    });
    expect(originAttributes('10.244.2.0/26', ads)).toEqual({ communities: [64512 * 65536 + 100], largeCommunities: [{ global: 64512, local1: 1, local2: 2 }] });
    // a prefix wider than the cidr is not inside it
    expect(originAttributes('10.0.0.0/8', ads)).toEqual({});
    expect(originAttributes('fd00::/64', ads)).toEqual({});
  });

  it('insideAny', () => {
    const ranges = [Cidr.parse('10.96.0.0/12')!];
    expect(insideAny('10.96.5.1/32', ranges)).toBe(true);
    expect(insideAny('10.96.0.0/12', ranges)).toBe(true);
    expect(insideAny('10.112.0.0/12', ranges)).toBe(false);
  });
});
