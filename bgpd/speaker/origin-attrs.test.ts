// Communities on originated prefixes (BGPConfiguration prefixAdvertisements): carried to the peer,
// replaced in place when they change, kept when another source re-originates the prefix without any.
import { describe, it, expect } from 'vitest';
import type { Speaker } from './speaker';
import { until, useSpeakerPairs } from './test-speakers';
import { peerRow, routesView } from './views';

const pair = useSpeakerPairs();

const pathAt = async (s: Speaker, prefix: string) => (await routesView(s, { prefix })).find((r) => r.prefix === prefix)?.paths[0];

describe('Speaker.originate with attributes', () => {
  it('sends the communities, re-announces a changed set, keeps it when a source re-originates without one', async () => {
    const { a, b } = pair();
    a.originate('10.244.1.0/26', 'ipam', { communities: [65001 * 65536 + 100], largeCommunities: [{ global: 65001, local1: 1, local2: 2 }] });
    a.start();
    b.start();
    await until(() => peerRow(b, b.peer('a')!).accepted === 1, 'B has the route');
    expect(await pathAt(b, '10.244.1.0/26')).toMatchObject({ communities: ['65001:100'], largeCommunities: ['65001:1:2'] });

    a.originate('10.244.1.0/26', 'ipam', { communities: [65001 * 65536 + 200] });
    await until(async () => (await pathAt(b, '10.244.1.0/26'))?.communities[0] === '65001:200', 'new community at B');
    expect((await pathAt(b, '10.244.1.0/26'))?.largeCommunities).toEqual([]);

    // the config file's advertisePrefixes names the same prefix: one route, attributes unchanged
    a.originate('10.244.1.0/26', 'config');
    a.withdraw('10.244.1.0/26', 'ipam');
    await until(() => !a.rib.pending, 'A idle');
    expect(await pathAt(a, '10.244.1.0/26')).toMatchObject({ from: 'local', communities: ['65001:200'] });
    a.originate('10.244.1.0/26', 'config', {});
    await until(async () => (await pathAt(b, '10.244.1.0/26'))?.communities.length === 0, 'communities cleared at B');
  });
});
