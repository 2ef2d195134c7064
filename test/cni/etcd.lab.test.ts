// tortie with the etcd datastore: etcd runs inside the lab's host netns (its own loopback), the
// plugin is exec'd there too; ADD stores the pod's owner with the allocation, DEL releases it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNetworkList, checkNetworkList, delNetworkList, type ConfList, type RuntimeConf } from './exec-client';
import { CNI_PATH, REPO, createLab, netnsPath, type CniLab } from './lab';

const ETCD = '/usr/bin/etcd';
let lab: CniLab;
let etcd: ChildProcess | undefined;
const SPEC = 'etcd:http://127.0.0.1:2379';

function tool(...args: string[]): string {
  const r = spawnSync('nsenter', [`--net=${netnsPath(lab.host)}`, process.execPath, '--import', 'tsx', join(REPO, 'test/cni/ipam-tool.ts'), SPEC, ...args], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ipam-tool ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(!existsSync(ETCD))('tortie on the etcd datastore', () => {
  beforeAll(async () => {
    lab = await createLab([]);
    etcd = spawn('nsenter', [`--net=${netnsPath(lab.host)}`, ETCD, '--data-dir', join(lab.dir, 'etcd'),
      '--listen-client-urls', 'http://127.0.0.1:2379', '--advertise-client-urls', 'http://127.0.0.1:2379',
      '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380',
      '--initial-cluster', 'default=http://127.0.0.1:2380', '--log-level', 'error'], { stdio: 'ignore' });
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        tool('pool', '10.74.0.0/16');
        break;
      } catch (e) {
        if (Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }, 60_000);

  afterAll(async () => {
    if (etcd && etcd.exitCode === null) {
      etcd.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      if (etcd.exitCode === null && etcd.signalCode === null) etcd.kill('SIGKILL');
    }
    lab?.cleanup();
  });

  it('ADD allocates from etcd with the pod as owner; CHECK passes; DEL releases', { timeout: 60_000 }, async () => {
    const pod = lab.pod('e');
    const list: ConfList = { cniVersion: '1.1.0', name: 'k8s-pod-network', plugins: [{ type: 'tortie', datastore: SPEC, data_dir: join(lab.dir, 'cni'), nodename: 'node1', ipam: { type: 'tortie-ipam' } }] };
    const rt: RuntimeConf = {
      containerId: `etcd${process.pid}`,
      netns: netnsPath(pod),
      ifname: 'eth0',
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'team-a', K8S_POD_NAME: 'web-0', K8S_POD_UID: 'uid-web-0' },
      hostNetns: netnsPath(lab.host),
      cniPath: CNI_PATH,
    };
    const res = (await addNetworkList(list, rt)) as { ips: { address: string }[] };
    const ip = res.ips[0].address.split('/')[0];
    expect(ip).toMatch(/^10\.74\./);
    const st = JSON.parse(tool('state')) as { handles: string[]; owners: Record<string, Record<string, string>> };
    expect(st.handles).toEqual([`k8s-pod-network.${rt.containerId}`]);
    expect(st.owners[ip]).toMatchObject({ handleId: `k8s-pod-network.${rt.containerId}`, node: 'node1', namespace: 'team-a', pod: 'web-0', podUid: 'uid-web-0', containerId: rt.containerId, netns: rt.netns });
    await checkNetworkList(list, rt, res);
    await delNetworkList(list, rt, res);
    const after = JSON.parse(tool('state')) as { handles: string[]; owners: Record<string, unknown> };
    expect(after.handles).toEqual([]);
    expect(after.owners[ip]).toBeUndefined();
  });
});
