// Two real bgpd nodes with the Kubernetes datastore on a dual-stack link: from their Node objects (IPv6
// InternalIP on one, the tortie.dev/address-v6 annotation on the other) each builds an IPv4 and an IPv6
// mesh session, and an IPv6 prefix one node advertises lands in the other's kernel via the IPv6 session.
// The BGPConfiguration's asNumber loses to bgpd.yaml (kubernetes.configFileWins). Then a node.<name>
// BGPConfiguration moves a's listen port: a's listener rebinds live and b re-dials
// it there. The fake apiserver listens on node a's link address so both can reach it. ~6 s.
import { describe, expect, it } from 'vitest';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { api, startApiServer, startBgpd, withLog } from './k8s-lab';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)(`IPv6 mesh from Node objects with real bgpd${isRoot ? '' : ' (SKIPPED: needs root)'}`, () => {
  const lab = useLab({ prefix: 'k6m' });

  it('both nodes get an IPv4 and an IPv6 session; IPv6 routes travel over the IPv6 one', async () => {
    const a = await lab().host('a');
    const b = await lab().host('b');
    await lab().link(a, b, { addrA: '198.18.83.1/24', addrB: '198.18.83.2/24', v6: { addrA: 'fd00:83::1/64', addrB: 'fd00:83::2/64' } });
    const url = await startApiServer(a, '198.18.83.1');
    const nodeObj = (name: string, addresses: string[], annotations: Record<string, string> = {}) => ({
      metadata: { name, annotations }, status: { addresses: addresses.map((address) => ({ type: 'InternalIP', address })) },
    });
    await api(a, url, 'POST', '/api/v1/nodes', nodeObj('k6m-a', ['198.18.83.1', 'fd00:83::1']));
    await api(a, url, 'POST', '/api/v1/nodes', nodeObj('k6m-b', ['198.18.83.2'], { 'tortie.dev/address-v6': 'fd00:83::2' }));
    // a cluster-wide AS the bgpd.yaml overrides (kubernetes.configFileWins): both nodes run and expect the
    // file's 64512 (without configFileWins both would take 65099 from the cluster at start)
    await api(a, url, 'POST', '/apis/tortie.dev/v1/bgpconfigurations', { metadata: { name: 'default' }, spec: { asNumber: 65099 } });
    const common = { gracefulRestart: { enabled: false }, kubernetes: { configFileWins: ['asNumber'] } };
    const bgpdA = await startBgpd(a, url, { ...common, nodeName: 'k6m-a', routerId: '198.18.83.1', nodeAddress: '198.18.83.1/24', nodeAddressV6: 'fd00:83::1/64', advertisePrefixes: ['fd00:a1::/64', '10.83.1.0/24'] });
    const bgpdB = await startBgpd(b, url, { ...common, nodeName: 'k6m-b', routerId: '198.18.83.2', nodeAddress: '198.18.83.2/24', nodeAddressV6: 'fd00:83::2/64' });

    // B learns A's prefixes: the IPv6 one needs the IPv6 session (each session carries its own family)
    const v6 = await waitFor(async () => (await b.ip(['-6', 'route', 'show', 'fd00:a1::/64'])) || undefined, { what: 'fd00:a1::/64 in b\'s kernel', timeoutMs: 30_000, abortIf: () => bgpdB.exitReason() ?? bgpdA.exitReason() })
      .catch(withLog(bgpdB));
    expect(v6).toContain('via fd00:83::1');
    await waitFor(async () => (await b.ip(['route', 'show', '10.83.1.0/24'])).includes('via 198.18.83.1'), { what: '10.83.1.0/24 in b\'s kernel' }).catch(withLog(bgpdB));
    expect(bgpdA.logs()).toMatch(/"peer added".*"peer":"Mesh_fd00_83__2"/);
    expect(bgpdB.logs()).toMatch(/"peer added".*"peer":"Mesh_fd00_83__1"/);
    expect(bgpdB.logs()).toMatch(/"peer added".*"peer":"Mesh_198_18_83_1"/);
    // node.k6m-a moves a's listen port: a's listener follows live, b re-dials a there (both families)
    await api(a, url, 'POST', '/apis/tortie.dev/v1/bgpconfigurations', { metadata: { name: 'node.k6m-a' }, spec: { listenPort: 1179 } });
    await waitFor(() => bgpdA.logs().includes('BGP listener moved'), { what: "a's listener on 1179" }).catch(withLog(bgpdA));
    const established = async (): Promise<string[]> => (await a.exec('ss', ['-Htn', 'state', 'established', '( sport = :1179 )'])).stdout.trim().split('\n').filter(Boolean);
    const conns = await waitFor(async () => ((await established()).length === 2 ? established() : undefined), { what: 'b connected to a on 1179 over IPv4 and IPv6', timeoutMs: 20_000 }).catch(withLog(bgpdB));
    expect(conns.join('\n')).toMatch(/198\.18\.83\.2/);
    expect(conns.join('\n')).toMatch(/fd00:83::2/);
    expect(bgpdB.logs()).toMatch(/"peer added".*"peer":"Mesh_fd00_83__1_port_1179"/);
  });
});
