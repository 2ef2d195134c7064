// The attribute checks every interop suite makes on the fixture routes (fixtures.ts), in one place
// so that each daemon is held to exactly the same expectations.
import { expect } from 'vitest';
import type { ReceivedRoute } from '../lab/daemons/types';
import type { SpeakerProcess } from './speaker-process';
import { B4, B6, T4, T6 } from './fixtures';

/** Our routes as the daemon received them: AS path, MED, communities and next hop intact. */
export function expectOurRoutes(routes: readonly ReceivedRoute[]): void {
  const r4 = routes.find((r) => r.prefix === '198.51.100.0/24')!;
  expect(r4.asPath).toEqual([65001, 64999]);
  expect(r4.med).toBe(10);
  expect(r4.communities).toEqual(['65001:100', '65001:101']);
  expect(r4.largeCommunities).toEqual(['65001:5:6']);
  expect(r4.nextHop).toBe(T4);
  const r6 = routes.find((r) => r.prefix === '2001:db8:1::/48')!;
  expect(r6.asPath).toEqual([65001]);
  expect(r6.med).toBe(20);
  expect(r6.communities).toEqual(['65001:200']);
  expect(r6.largeCommunities).toEqual(['65001:7:8']);
  expect(r6.nextHop).toBe(T6);
}

/** The daemon's routes as our speaker received them on sessions "v4" and "v6". */
export function expectPeerRoutes(sp: SpeakerProcess): void {
  const r4 = sp.routes('v4').get('203.0.113.0/24')!;
  expect(r4.asPath).toEqual([65002]);
  expect(r4.med).toBe(50);
  expect(r4.communities).toEqual(['65002:7']);
  expect(r4.largeCommunities).toEqual(['65002:1:2']);
  expect(r4.nextHop).toBe(B4);
  const r6 = sp.routes('v6').get('2001:db8:2::/48')!;
  expect(r6.asPath).toEqual([65002]);
  expect(r6.med).toBe(60);
  expect(r6.communities).toEqual(['65002:8']);
  expect(r6.largeCommunities).toEqual(['65002:3:4']);
  expect(r6.nextHop).toBe(B6);
}
