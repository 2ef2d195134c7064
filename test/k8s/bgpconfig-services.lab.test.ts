// The real bgpd (bundled from source) with the Kubernetes datastore against BIRD (a BGPPeer) and a
// second BIRD (the config file's peers:), in lab network namespaces, the fake apiserver next to bgpd:
// BGPConfiguration service CIDRs reach BIRD with the
// prefixAdvertisements communities, a CIDR added / removed later is announced / withdrawn without the
// session restarting, and a route inside a service range learned from BIRD stays out of the kernel
// (until the range is removed); an undefined community name is reported on the object. ~3 s.
import { describe, expect, it } from 'vitest';
import { BirdDaemon } from '../lab/daemons/bird';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { api, CRD, startApiServer, startBgpd, withLog } from './k8s-lab';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)(`BGPConfiguration service IPs with a real bgpd and BIRD${isRoot ? '' : ' (SKIPPED: needs root)'}`, () => {
  const lab = useLab({ prefix: 'kbc' });

  it('announces service CIDRs with communities, follows changes without a session reset, keeps service routes from peers out of the kernel', async () => {
    const node = await lab().host('node');
    const tor = await lab().host('tor');
    const tor2 = await lab().host('tor2');
    await lab().link(node, tor, { addrA: '198.18.81.1/24', addrB: '198.18.81.2/24' });
    await lab().link(node, tor2, { addrA: '198.18.84.1/24', addrB: '198.18.84.2/24' });

    const url = await startApiServer(node);
    await api(node, url, 'POST', `${CRD}/bgpconfigurations`, {
      metadata: { name: 'default' },
      spec: {
        serviceClusterIPs: [{ cidr: '10.96.0.0/12' }],
        communities: [{ name: 'svc', value: '64512:100' }],
        prefixAdvertisements: [{ cidr: '10.96.0.0/12', communities: ['svc', '64512:7:8'] }, { cidr: '198.18.90.0/24', communities: ['64512:200'] }],
      },
    });
    await api(node, url, 'POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.81.2', asNumber: 65001 } });
    await api(node, url, 'POST', '/api/v1/nodes', { metadata: { name: 'kbc-node' }, status: { addresses: [{ type: 'InternalIP', address: '198.18.81.1' }] } });

    const bird = await BirdDaemon.start(tor, {
      routerId: '198.18.81.2', localAs: 65001, localAddress: '198.18.81.2',
      neighbors: [{ address: '198.18.81.1', as: 64512 }],
      // one route inside the service range (must stay out of bgpd's kernel table), one outside it
      routes: [{ prefix: '10.96.5.0/24' }, { prefix: '198.18.200.0/24' }],
    });
    // a second ToR from the config file's peers:, next to the BGPPeer
    const bird2 = await BirdDaemon.start(tor2, { routerId: '198.18.84.2', localAs: 65002, localAddress: '198.18.84.2', neighbors: [{ address: '198.18.84.1', as: 64512 }] });
    const bgpd = await startBgpd(node, url, {
      nodeName: 'kbc-node', routerId: '198.18.81.1', nodeAddress: '198.18.81.1/24',
      peers: [{ name: 'tor2', address: '198.18.84.2', asNumber: 65002 }],
    });

    const svc = await waitFor(async () => (await bird.routes()).find((r) => r.prefix === '10.96.0.0/12'), { what: '10.96.0.0/12 at BIRD', timeoutMs: 30_000, abortIf: () => bgpd.exitReason() })
      .catch(withLog(bgpd));
    expect(svc).toMatchObject({ asPath: [64512], nextHop: '198.18.81.1', communities: ['64512:100'], largeCommunities: ['64512:7:8'] });
    const since = await birdSince(bird);
    const svc2 = await waitFor(async () => (await bird2.routes()).find((r) => r.prefix === '10.96.0.0/12'), { what: '10.96.0.0/12 at the config-file peer' }).catch(withLog(bgpd));
    expect(svc2).toMatchObject({ asPath: [64512], communities: ['64512:100'] });

    // the learned route outside the service ranges is programmed; the one inside is not
    await waitFor(async () => (await node.ip(['route', 'show', '198.18.200.0/24'])).includes('via 198.18.81.2'), { what: '198.18.200.0/24 in the kernel' });
    expect(await node.ip(['route', 'show', '10.96.5.0/24'])).toBe('');

    // a new external range is announced with its community; the session stays up
    await api(node, url, 'PATCH', `${CRD}/bgpconfigurations/default`, { spec: { serviceExternalIPs: [{ cidr: '198.18.90.0/24' }] } });
    const ext = await waitFor(async () => (await bird.routes()).find((r) => r.prefix === '198.18.90.0/24'), { what: '198.18.90.0/24 at BIRD' });
    expect(ext.communities).toEqual(['64512:200']);
    await api(node, url, 'PATCH', `${CRD}/bgpconfigurations/default`, { spec: { serviceExternalIPs: null } });
    await waitFor(async () => !(await bird.routes()).some((r) => r.prefix === '198.18.90.0/24'), { what: '198.18.90.0/24 withdrawn at BIRD' });
    expect(await birdSince(bird)).toBe(since);
    expect((await bird.routes()).some((r) => r.prefix === '10.96.0.0/12')).toBe(true);

    // an undefined community name: the daemon's reporter marks the object (Valid=False naming the field)
    await api(node, url, 'PATCH', `${CRD}/bgpconfigurations/default`, { spec: { prefixAdvertisements: [{ cidr: '10.96.0.0/12', communities: ['svc', 'nosuch'] }] } });
    const cond = await waitFor(async () => {
      const o = (await api(node, url, 'GET', `${CRD}/bgpconfigurations/default`)) as { status?: { conditions?: Array<{ type: string; status: string; message?: string }> } };
      return o.status?.conditions?.find((c) => c.type === 'Valid' && c.status === 'False');
    }, { what: 'Valid=False on the BGPConfiguration' }).catch(withLog(bgpd));
    expect(cond.message).toContain('spec.prefixAdvertisements[0].communities[1]: "nosuch"');

    // no longer a service range: the route bgpd held back from the kernel is installed after all
    await api(node, url, 'PATCH', `${CRD}/bgpconfigurations/default`, { spec: { serviceClusterIPs: null } });
    await waitFor(async () => (await node.ip(['route', 'show', '10.96.5.0/24'])).includes('via 198.18.81.2'), { what: '10.96.5.0/24 in the kernel once not a service range' });
    await waitFor(async () => !(await bird.routes()).some((r) => r.prefix === '10.96.0.0/12'), { what: '10.96.0.0/12 withdrawn at BIRD' });
  });
});

/** When BIRD's session to bgpd last changed state ("since" column of show protocols). */
async function birdSince(bird: BirdDaemon): Promise<string> {
  const out = await bird.birdc(['show', 'protocols']);
  const line = out.split('\n').find((l) => /\bBGP\b/.test(l) && /Established/.test(l));
  if (!line) throw new Error(`no established BGP protocol in:\n${out}`);
  return line.trim().split(/\s+/).slice(3, 5).join(' ');
}
