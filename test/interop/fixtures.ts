// Shared topology, addresses and routes for the interop tests: namespace "t" runs tortie's test
// speaker, namespace "b" the daemon under comparison, joined by one veth with IPv4 and IPv6.

import type { Lab } from '../lab/lab';
import type { LabHost } from '../lab/lab-host';
import type { NeighborSpec, OriginatedRoute, SpeakerSpec } from '../lab/daemons/types';
import type { PeerConfig } from '../../bgpd/session/peer-config';
import type { SpeakerConfig } from './speaker';

export const T4 = '198.18.0.1';
export const B4 = '198.18.0.2';
export const T6 = 'fd00:18::1';
export const B6 = 'fd00:18::2';
export const TORTIE_AS = 65001;
export const PEER_AS = 65002;
const V4 = [{ afi: 1 as const, safi: 1 as const }];
const V6 = [{ afi: 2 as const, safi: 1 as const }];
/** Short timers so failures and restarts happen within a test's budget. */
export const FAST_TIMERS = { connectRetryTime: 1, connectRetryMaxTime: 2, idleHoldTime: 1, idleHoldMaxTime: 2 };

export const peerRoutes: OriginatedRoute[] = [
  { prefix: '203.0.113.0/24', med: 50, communities: ['65002:7'], largeCommunities: ['65002:1:2'] },
  { prefix: '203.0.114.0/24' },
  { prefix: '2001:db8:2::/48', med: 60, communities: ['65002:8'], largeCommunities: ['65002:3:4'] },
];

export const ourRoutes: NonNullable<SpeakerConfig['routes']> = [
  { prefix: '198.51.100.0/24', nextHop: T4, med: 10, communities: ['65001:100', '65001:101'], largeCommunities: ['65001:5:6'], asPath: [64999] },
  { prefix: '198.51.101.0/24', nextHop: T4 },
  { prefix: '2001:db8:1::/48', nextHop: T6, med: 20, communities: ['65001:200'], largeCommunities: ['65001:7:8'] },
];

/** Our session config toward the daemon; names starting with "v6" use the IPv6 addresses. */
export function tortiePeer(name: string, over: Partial<PeerConfig> = {}): PeerConfig {
  const v6 = name.startsWith('v6');
  return {
    name,
    localAs: TORTIE_AS,
    peerAs: PEER_AS,
    routerId: T4,
    peerAddress: v6 ? B6 : B4,
    localAddress: v6 ? T6 : T4,
    holdTime: 9,
    families: v6 ? V6 : V4,
    fsm: FAST_TIMERS,
    ...over,
  };
}

export async function twoHosts(lab: Lab): Promise<{ t: LabHost; b: LabHost }> {
  const t = await lab.host('t');
  const b = await lab.host('b');
  await lab.link(t, b, { addrA: [`${T4}/24`, `${T6}/64`], addrB: [`${B4}/24`, `${B6}/64`] });
  return { t, b };
}

export function peerNeighbors(over: Partial<NeighborSpec> = {}): NeighborSpec[] {
  return [
    { address: T4, as: TORTIE_AS, holdTime: 9, ...over },
    { address: T6, as: TORTIE_AS, holdTime: 9, ...over },
  ];
}

export function peerSpec(neighbors: NeighborSpec[], routes: OriginatedRoute[] = peerRoutes): SpeakerSpec {
  return { routerId: B4, localAs: PEER_AS, localAddress: B4, localAddress6: B6, neighbors, routes };
}
