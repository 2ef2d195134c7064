// The real bgpd (bundled from source) with the Kubernetes datastore against BIRD, in lab network
// namespaces, the fake apiserver next to bgpd: a BGPPeer's holdTime is what the session negotiates, its
// BGPFilter keeps a rejected prefix out of the RIB and the kernel, changing the filter lets it in, and an
// export filter added later withdraws a route without a session reset.
import { describe, expect, it } from 'vitest';
import { BirdDaemon } from '../lab/daemons/bird';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { api, CRD, startApiServer, startBgpd, withLog } from './k8s-lab';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)(`BGPPeer settings with a real bgpd and BIRD${isRoot ? '' : ' (SKIPPED: needs root)'}`, () => {
  const lab = useLab({ prefix: 'kbf' });

  it('negotiates the BGPPeer holdTime and applies its BGPFilter to what reaches the kernel', async () => {
    const node = await lab().host('node');
    const tor = await lab().host('tor');
    await lab().link(node, tor, { addrA: '198.18.83.1/24', addrB: '198.18.83.2/24' });

    const url = await startApiServer(node);
    await api(node, url, 'POST', `${CRD}/bgpfilters`, {
      metadata: { name: 'tor-in' },
      spec: { importV4: [{ cidr: '198.18.201.0/24', matchOperator: 'Equal', action: 'Reject' }] },
    });
    await api(node, url, 'POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.83.2', asNumber: 65001, holdTime: '12s', filters: ['tor-in'] } });
    // a service CIDR bgpd originates, for the export filter below
    await api(node, url, 'POST', `${CRD}/bgpconfigurations`, { metadata: { name: 'default' }, spec: { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] } });
    await api(node, url, 'POST', '/api/v1/nodes', { metadata: { name: 'kbf-node' }, status: { addresses: [{ type: 'InternalIP', address: '198.18.83.1' }] } });

    const bird = await BirdDaemon.start(tor, {
      routerId: '198.18.83.2', localAs: 65001, localAddress: '198.18.83.2',
      neighbors: [{ address: '198.18.83.1', as: 64512, holdTime: 30 }],
      routes: [{ prefix: '198.18.200.0/24' }, { prefix: '198.18.201.0/24' }],
    });
    const bgpd = await startBgpd(node, url, { nodeName: 'kbf-node', routerId: '198.18.83.1', nodeAddress: '198.18.83.1/24' });

    await waitFor(async () => (await node.ip(['route', 'show', '198.18.200.0/24'])).includes('via 198.18.83.2'), { what: '198.18.200.0/24 in the kernel', timeoutMs: 30_000, abortIf: () => bgpd.exitReason() })
      .catch(withLog(bgpd));
    // BIRD offered 30 s, the BGPPeer 12 s (the config's timers say 30): the lower one is negotiated
    // both routes were sent (BIRD counts them), so the missing one was filtered, not late
    const proto = await waitFor(async () => {
      const out = await bird.birdc(['show', 'protocols', 'all']);
      return /Routes:\s+\d+ imported, 2 exported/.test(out) ? out : undefined;
    }, { what: 'BIRD exported both routes' });
    expect(proto).toMatch(/Hold timer:\s+[\d.]+\/12\b/);
    expect(await node.ip(['route', 'show', '198.18.201.0/24'])).toBe('');

    // the filter no longer rejects it: the session is re-created with the new policy and the route comes in
    await api(node, url, 'PATCH', `${CRD}/bgpfilters/tor-in`, { spec: { importV4: [{ cidr: '198.18.202.0/24', matchOperator: 'Equal', action: 'Reject' }] } });
    await waitFor(async () => (await node.ip(['route', 'show', '198.18.201.0/24'])).includes('via 198.18.83.2'), { what: '198.18.201.0/24 in the kernel after the filter change', timeoutMs: 30_000, abortIf: () => bgpd.exitReason() })
      .catch(withLog(bgpd));

    // an export-only change is applied to the running session (Speaker.refreshPeer): BIRD loses the
    // service CIDR without the session going down
    await waitFor(async () => (await bird.routes()).some((r) => r.prefix === '10.96.0.0/12'), { what: '10.96.0.0/12 at BIRD' });
    const since = await established(bird);
    const ups = (): number => bgpd.logs().split('BGP session established').length;
    const upsBefore = ups();
    await api(node, url, 'PATCH', `${CRD}/bgpfilters/tor-in`, { spec: { exportV4: [{ cidr: '10.96.0.0/12', matchOperator: 'Equal', action: 'Reject' }] } });
    await waitFor(async () => !(await bird.routes()).some((r) => r.prefix === '10.96.0.0/12'), { what: '10.96.0.0/12 withdrawn at BIRD' }).catch(withLog(bgpd));
    // the session stayed up: no new Established on our side, and BIRD's state-change time has not moved
    // (within a second: BIRD was seen re-stamping it by a millisecond without a state change)
    expect(ups()).toBe(upsBefore);
    expect(Math.abs(clockMs(await established(bird)) - clockMs(since))).toBeLessThan(1000);
  });
});

describe.skipIf(!isRoot)(`BGPPeer password from a Secret with a real bgpd and BIRD${isRoot ? '' : ' (SKIPPED: needs root)'}`, () => {
  const lab = useLab({ prefix: 'kbp' });

  it('the Secret\'s key is the TCP-MD5 key: a session with BIRD comes up; a rotated (wrong) key takes it down', async () => {
    const node = await lab().host('node');
    const tor = await lab().host('tor');
    await lab().link(node, tor, { addrA: '198.18.84.1/24', addrB: '198.18.84.2/24' });

    const url = await startApiServer(node);
    const b64 = (v: string): string => Buffer.from(v).toString('base64');
    await api(node, url, 'POST', '/api/v1/namespaces/tortie-system/secrets', { metadata: { name: 'tor-md5' }, data: { password: b64('kbp-Md5.key') } });
    await api(node, url, 'POST', `${CRD}/bgppeers`, { metadata: { name: 'tor' }, spec: { peerIP: '198.18.84.2', asNumber: 65001, password: { secretKeyRef: { name: 'tor-md5', key: 'password' } } } });
    await api(node, url, 'POST', '/api/v1/nodes', { metadata: { name: 'kbp-node' }, status: { addresses: [{ type: 'InternalIP', address: '198.18.84.1' }] } });

    await BirdDaemon.start(tor, {
      routerId: '198.18.84.2', localAs: 65001, localAddress: '198.18.84.2',
      neighbors: [{ address: '198.18.84.1', as: 64512, password: 'kbp-Md5.key' }],
      routes: [{ prefix: '198.18.210.0/24' }],
    });
    const bgpd = await startBgpd(node, url, { nodeName: 'kbp-node', routerId: '198.18.84.1', nodeAddress: '198.18.84.1/24' });
    const inKernel = async (): Promise<boolean> => (await node.ip(['route', 'show', '198.18.210.0/24'])).includes('via 198.18.84.2');
    await waitFor(inKernel, { what: '198.18.210.0/24 over the TCP-MD5 session', timeoutMs: 30_000, abortIf: () => bgpd.exitReason() }).catch(withLog(bgpd));
    // the key never appears in bgpd's log
    expect(bgpd.logs()).not.toContain('kbp-Md5.key');

    await api(node, url, 'PATCH', '/api/v1/namespaces/tortie-system/secrets/tor-md5', { data: { password: b64('another-key') } });
    await waitFor(async () => !(await inKernel()), { what: 'route gone once the key no longer matches', timeoutMs: 30_000 }).catch(withLog(bgpd));
    expect(bgpd.logs()).not.toContain('another-key');
  });
});

/** "2026-11-22 06:01:02.123" or "06:01:02.123" → ms since midnight (the date part is the same within a test). */
function clockMs(since: string): number {
  const m = /(\d+):(\d+):(\d+)(?:\.(\d+))?$/.exec(since);
  if (!m) throw new Error(`unexpected BIRD time ${since}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number((m[4] ?? '0').padEnd(3, '0').slice(0, 3));
}

/** When BIRD's session to bgpd last changed state (the "since" column of show protocols). */
async function established(bird: BirdDaemon): Promise<string> {
  const out = await bird.birdc(['show', 'protocols']);
  const line = out.split('\n').find((l) => /\bBGP\b/.test(l) && /Established/.test(l));
  if (!line) throw new Error(`no established BGP protocol in:\n${out}`);
  return line.trim().split(/\s+/).slice(3, 5).join(' ');
}
