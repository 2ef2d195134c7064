// Two pods on one node (namespaces) reach each other and the host through the 169.254.1.1 gateway,
// which only exists as proxy ARP on the host veths; after DEL nothing of either pod remains.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addNetworkList, delNetworkList, type ConfList, type RuntimeConf } from './exec-client';
import { ipamState } from './ipam-state';
import { CNI_PATH, createLab, ipJson, netnsPath, sh, status, type CniLab } from './lab';

let lab: CniLab;
beforeAll(async () => {
  lab = await createLab([{ cidr: '10.78.0.0/16' }]);
});
afterAll(() => lab?.cleanup());

const ping = (ns: string, ip: string): number => status('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '2', ip]);

it('pods ping each other and the host; ARP for 169.254.1.1 answers ee:ee:ee:ee:ee:ee; DEL leaves nothing', async () => {
  const list: ConfList = {
    cniVersion: '1.1.0',
    name: 'k8s-pod-network',
    plugins: [{ type: 'tortie', datastore: lab.store, data_dir: join(lab.dir, 'cni'), nodename: 'node1', ipam: { type: 'tortie-ipam' } }],
  };
  const pods = [lab.pod('a'), lab.pod('b')];
  const rts: RuntimeConf[] = pods.map((p, i) => ({
    containerId: `ping${process.pid}x${i}`,
    netns: netnsPath(p),
    ifname: 'eth0',
    args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: `ping-${process.pid}-${i}` },
    hostNetns: netnsPath(lab.host),
    cniPath: CNI_PATH,
  }));
  const results = (await Promise.all(rts.map((rt) => addNetworkList(list, rt)))) as { ips: { address: string }[]; interfaces: { name: string }[] }[];
  const ips = results.map((r) => r.ips[0].address.split('/')[0]);
  const hostIfs = results.map((r) => r.interfaces[0].name);

  expect(ping(pods[0], ips[1])).toBe(0);
  expect(ping(pods[1], ips[0])).toBe(0);
  expect(ping(pods[0], '198.18.0.1')).toBe(0); // the host's own address
  expect(ping(lab.host, ips[0])).toBe(0);
  for (const p of pods) {
    const neigh = ipJson<{ dst: string; lladdr?: string }[]>(p, ['neigh', 'show', '169.254.1.1']);
    expect(neigh[0]?.lladdr).toBe('ee:ee:ee:ee:ee:ee');
  }

  await Promise.all(rts.map((rt, i) => delNetworkList(list, rt, results[i])));
  const hostLinks = ipJson<{ ifname: string }[]>(lab.host, ['link']).map((l) => l.ifname);
  for (const h of hostIfs) expect(hostLinks).not.toContain(h);
  const routes = sh('ip', ['-n', lab.host, 'route']);
  for (const ip of ips) expect(routes).not.toContain(ip);
  for (const p of pods) {
    expect(ipJson<{ ifname: string }[]>(p, ['link']).map((l) => l.ifname)).toEqual(['lo']);
    expect(sh('ip', ['-n', p, 'route']).trim()).toBe('');
  }
  const st = await ipamState(lab.store);
  for (const ip of ips) expect(st.addresses.has(ip)).toBe(false);
  expect(st.handles).toEqual([]);
  expect(ping(pods[0], ips[1])).not.toBe(0);
});
