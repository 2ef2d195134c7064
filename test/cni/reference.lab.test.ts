// The same netconf through the reference plugins (ptp + host-local from /usr/lib/cni) and through
// tortie + host-local, with the same exec client: both must give the pod a working address, CHECK
// clean, and DEL idempotently (twice, and after the netns is gone). Known, intended differences:
// ptp gives the pod the subnet's mask and a gateway on the host side; tortie a /32 via 169.254.1.1.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNetworkList, checkNetworkList, delNetworkList, type ConfList, type RuntimeConf } from './exec-client';
import { CNI_PATH, createLab, deleteNetns, ipJson, netnsPath, status, type CniLab } from './lab';

let lab: CniLab;
beforeAll(async () => {
  lab = await createLab([]);
});
afterAll(() => lab?.cleanup());

const ping = (ns: string, ip: string): number => status('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '2', ip]);

function list(type: 'ptp' | 'tortie', subnet: string): ConfList {
  return {
    cniVersion: '1.0.0',
    name: `ref-${type}`,
    plugins: [{ type, data_dir: join(lab.dir, 'cni'), ipam: { type: 'host-local', dataDir: join(lab.dir, `hl-${type}`), ranges: [[{ subnet }]] } }],
  };
}

describe.each([['ptp', '10.97.0.0/24'], ['tortie', '10.96.0.0/24']] as const)('%s + host-local', (type, subnet) => {
  it('ADD gives a reachable pod, CHECK passes, DEL is idempotent', async () => {
    const pod = lab.pod(type);
    const rt: RuntimeConf = {
      containerId: `ref${type}${process.pid}`,
      netns: netnsPath(pod),
      ifname: 'eth0',
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: `ref-${type}-${process.pid}` },
      hostNetns: netnsPath(lab.host),
      cniPath: CNI_PATH,
    };
    const l = list(type, subnet);
    const res = (await addNetworkList(l, rt)) as { cniVersion: string; interfaces: { name: string; sandbox?: string }[]; ips: { address: string; interface: number }[] };
    expect(res.cniVersion).toBe('1.0.0');
    expect(res.interfaces.find((i) => i.sandbox)).toMatchObject({ name: 'eth0', sandbox: rt.netns });
    const ip = res.ips[0].address.split('/')[0];
    expect(ip.startsWith(subnet.slice(0, 6))).toBe(true);
    expect(res.interfaces[res.ips[0].interface].name).toBe('eth0');
    const podAddrs = ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>(pod, ['addr', 'show', 'eth0'])[0].addr_info;
    expect(podAddrs.some((a) => a.local === ip)).toBe(true);
    expect(ping(lab.host, ip)).toBe(0);
    await checkNetworkList(l, rt, res);
    await delNetworkList(l, rt, res);
    await delNetworkList(l, rt, res);
    deleteNetns(pod);
    await delNetworkList(l, rt, res);
    expect(ipJson<{ ifname: string }[]>(lab.host, ['link']).filter((x) => x.ifname.startsWith(type === 'ptp' ? 'veth' : 'cali'))).toEqual([]);
  });
});
