// Two real bgpd nodes with the Kubernetes datastore: the AS comes from the BGPConfiguration at start
// (64999; the config files say 64512) and nodeMeshPassword keys both mesh sessions (IPv4 and IPv6) with
// TCP-MD5. Node b reads its Secrets from another namespace where the Secret does not exist yet: its mesh
// stays unkeyed, so the kernel drops the segments between the keyed and the unkeyed side and no route
// crosses; once the Secret appears there, b keys its sessions and the routes arrive over both families.
// Lab prefix t6. ~10 s.
import { describe, expect, it } from 'vitest';
import { request } from '../../bgpd/control/client';
import { useLab } from '../lab/use-lab';
import { waitFor } from '../lab/wait-for';
import { api, startApiServer, startBgpd, withLog } from './k8s-lab';

const isRoot = process.getuid?.() === 0;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe.skipIf(!isRoot)(`nodeMeshPassword and the cluster's AS with real bgpd${isRoot ? '' : ' (SKIPPED: needs root)'}`, () => {
  const lab = useLab({ prefix: 't6' });

  it('both nodes run the BGPConfiguration AS; the mesh comes up only once both sides have the key', async () => {
    const a = await lab().host('a');
    const b = await lab().host('b');
    await lab().link(a, b, { addrA: '198.18.86.1/24', addrB: '198.18.86.2/24', v6: { addrA: 'fd00:86::1/64', addrB: 'fd00:86::2/64' } });
    const url = await startApiServer(a, '198.18.86.1');
    const nodeObj = (name: string, addresses: string[]) => ({ metadata: { name }, status: { addresses: addresses.map((address) => ({ type: 'InternalIP', address })) } });
    await api(a, url, 'POST', '/api/v1/nodes', nodeObj('t6-a', ['198.18.86.1', 'fd00:86::1']));
    await api(a, url, 'POST', '/api/v1/nodes', nodeObj('t6-b', ['198.18.86.2', 'fd00:86::2']));
    const secret = { metadata: { name: 'bgp-mesh' }, data: { password: b64('t6-Mesh.key') } };
    await api(a, url, 'POST', '/api/v1/namespaces/tortie-system/secrets', secret);
    await api(a, url, 'POST', '/apis/tortie.dev/v1/bgpconfigurations', {
      metadata: { name: 'default' }, spec: { asNumber: 64999, nodeMeshPassword: { secretKeyRef: { name: 'bgp-mesh', key: 'password' } } },
    });
    const common = { gracefulRestart: { enabled: false } };
    const bgpdA = await startBgpd(a, url, { ...common, nodeName: 't6-a', routerId: '198.18.86.1', nodeAddress: '198.18.86.1/24', nodeAddressV6: 'fd00:86::1/64', advertisePrefixes: ['fd00:a6::/64', '10.86.1.0/24'] });
    // b's Secrets namespace (the DaemonSet's POD_NAMESPACE) has no bgp-mesh yet
    process.env.POD_NAMESPACE = 't6-other';
    const bgpdB = await startBgpd(b, url, { ...common, nodeName: 't6-b', routerId: '198.18.86.2', nodeAddress: '198.18.86.2/24', nodeAddressV6: 'fd00:86::2/64' })
      .finally(() => delete process.env.POD_NAMESPACE);
    const abort = (): string | undefined => bgpdA.exitReason() ?? bgpdB.exitReason();

    for (const [host, proc] of [[a, bgpdA], [b, bgpdB]] as const) {
      const st = await waitFor(() => request(`${host.dir('bgpd')}/bgpd.sock`, { cmd: 'status' }).catch(() => undefined), { what: 'control socket', abortIf: abort }).catch(withLog(proc));
      expect(st).toMatchObject({ ok: true, data: { asNumber: 64999 } });
    }
    // a keyed, b not: b's problem names the Secret; nothing crosses while they disagree
    await waitFor(() => bgpdB.logs().includes('Secret t6-other/bgp-mesh not found'), { what: "b's missing-Secret problem", abortIf: abort }).catch(withLog(bgpdB));
    const route4 = async (): Promise<string> => b.ip(['route', 'show', '10.86.1.0/24']);
    const route6 = async (): Promise<string> => b.ip(['-6', 'route', 'show', 'fd00:a6::/64']);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await route4()).toBe('');
    expect(await route6()).toBe('');

    await api(a, url, 'POST', '/api/v1/namespaces/t6-other/secrets', secret);
    await waitFor(async () => (await route4()).includes('via 198.18.86.1') || undefined, { what: '10.86.1.0/24 in b\'s kernel over the keyed IPv4 session', timeoutMs: 30_000, abortIf: abort }).catch(withLog(bgpdB));
    await waitFor(async () => (await route6()).includes('via fd00:86::1') || undefined, { what: 'fd00:a6::/64 in b\'s kernel over the keyed IPv6 session', timeoutMs: 30_000, abortIf: abort }).catch(withLog(bgpdB));
    // the key itself never reaches a log
    expect(bgpdA.logs() + bgpdB.logs()).not.toContain('t6-Mesh.key');
  });
});
