// What tortie-install puts on a node really wires pods: install from the assembled image tree into a
// temp bin/net dir (beside Debian's portmap, as a host would have one), then run the conflist it wrote
// through the exec client — the installed /bin/sh wrappers, tortie-node and the trimmed tortie-lib load
// koffi (netlink, the file store's flock) and IPAM for a real ADD/CHECK/DEL in throwaway namespaces
// (t11-<pid>-*), and tortie-ipam on its own. VERSION alone never loads any of that.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../ipam/pools';
import { openDatastore } from '../../ipam/store/open';
import { removeLeftoversMatching, run as sh } from '../../dataplane/lab-fixture';
import { addNetworkList, checkNetworkList, CniExecError, delNetworkList, execPlugin, type ConfList, type RuntimeConf } from '../cni/exec-client';
import { ipamState } from '../cni/ipam-state';
import { assembleImage } from './install-image';

const DEBIAN_PORTMAP = '/usr/lib/cni/portmap';
let work: string;
let bin: string;
let net: string;
let store: string;
const namespaces: string[] = [];

function netns(tag: string): string {
  const name = `t11-${process.pid}-${tag}`;
  sh('ip', ['netns', 'add', name]);
  namespaces.push(name);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

beforeAll(async () => {
  removeLeftoversMatching(/^t11-(\d+)-/);
  work = mkdtempSync(join(tmpdir(), 't11-install-'));
  const image = await assembleImage(work);
  bin = join(work, 'opt-cni-bin');
  net = join(work, 'etc-cni-net.d');
  mkdirSync(bin, { recursive: true });
  if (existsSync(DEBIAN_PORTMAP)) copyFileSync(DEBIAN_PORTMAP, join(bin, 'portmap'));
  store = `file:${join(work, 'store')}`;
  const ds = await openDatastore(store);
  await createPool(ds, { cidr: '10.111.0.0/16' });
  await ds.close();
  const r = spawnSync(join(image, 'usr/local/bin/node'), [join(image, 'opt/tortie/bin/tortie-install')], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', CNI_BIN_DIR: bin, CNI_NET_DIR: net, NODE_NAME: 'node-t11', CNI_DATASTORE: store, CNI_LOG_FILE: join(work, 'log/cni.log') },
  });
  if (r.status !== 0) throw new Error(`tortie-install failed: ${r.stdout}${r.stderr}`);
}, 120_000);

afterAll(() => {
  for (const n of namespaces) spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('installed plugins (t11)', () => {
  it('the written conflist ADDs, CHECKs and DELs a pod through the installed wrappers, logging to CNI_LOG_FILE', async () => {
    const host = netns('host');
    // No dummy driver in this kernel: a veth pair inside the host netns stands in for the uplink.
    sh('ip', ['-n', host, 'link', 'add', 't11up0', 'type', 'veth', 'peer', 'name', 't11up1']);
    sh('ip', ['-n', host, 'link', 'set', 't11up1', 'up']);
    sh('ip', ['-n', host, 'link', 'set', 't11up0', 'up']);
    sh('ip', ['-n', host, 'addr', 'add', '198.18.11.1/24', 'dev', 't11up0']);
    sh('ip', ['-n', host, 'route', 'add', 'default', 'dev', 't11up0']);
    const pod = netns('pod');
    const list = JSON.parse(readFileSync(join(net, '10-tortie.conflist'), 'utf8')) as ConfList;
    expect(list.plugins.map((p) => p.type)).toEqual(['tortie', 'portmap']);
    // Debian's portmap stops at 1.0.0: install-cni must have lowered the list's version to what it speaks.
    if (existsSync(DEBIAN_PORTMAP)) expect(list.cniVersion).toBe('1.0.0');
    else list.plugins = list.plugins.filter((p) => p.type !== 'portmap');
    // The result cache would otherwise go to the real /var/lib/tortie/cni (test harness only).
    list.plugins[0].data_dir = join(work, 'cni-data');
    const rt: RuntimeConf = {
      containerId: `t11c${process.pid}`,
      netns: `/var/run/netns/${pod}`,
      ifname: 'eth0',
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'p1' },
      hostNetns: `/var/run/netns/${host}`,
      cniPath: [bin], // the installed dir only: nothing from the repo or dist/
    };
    const res = (await addNetworkList(list, rt)) as { ips: { address: string }[]; interfaces: { name: string }[] };
    expect(res.ips[0].address).toMatch(/^10\.111\.\d+\.\d+\/32$/);
    const ip = res.ips[0].address.split('/')[0];
    expect(sh('ip', ['-n', pod, 'addr', 'show', 'eth0'])).toContain(`inet ${ip}/32`);
    expect(sh('ip', ['-n', host, 'route', 'show', `${ip}/32`])).toContain(`dev ${res.interfaces[0].name}`);
    expect((await ipamState(store)).addresses.get(ip)).toBe(`${list.name}.${rt.containerId}`);
    await checkNetworkList(list, rt, res);
    if (existsSync(DEBIAN_PORTMAP)) {
      // Why the version was lowered: the same portmap refuses a 1.1.0 list outright (every pod would fail).
      const refused = await addNetworkList({ ...list, cniVersion: '1.1.0', plugins: list.plugins.filter((p) => p.type === 'portmap') }, rt).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(CniExecError);
      expect((refused as CniExecError).cniMsg).toBe('incompatible CNI versions');
    }
    await delNetworkList(list, rt, res);
    expect(sh('ip', ['-n', pod, 'link'])).not.toContain('eth0');
    expect((await ipamState(store)).addresses.has(ip)).toBe(false);
    const log = readFileSync(join(work, 'log/cni.log'), 'utf8');
    expect(log).toContain(`cmd=ADD containerID=${rt.containerId}`);
    expect(log).toContain(`cmd=DEL containerID=${rt.containerId}`);
  }, 60_000);

  it('the installed tortie-ipam, exec’d on its own, assigns and releases from the same store', async () => {
    const pod = netns('ipam');
    const rt: RuntimeConf = { containerId: `t11i${process.pid}`, netns: `/var/run/netns/${pod}`, ifname: 'eth0', hostNetns: `/var/run/netns/${pod}`, cniPath: [bin] };
    const conf = { type: 'tortie-ipam', cniVersion: '1.1.0', name: 'k8s-pod-network', datastore: store, nodename: 'node-t11', ipam: { type: 'tortie-ipam' } };
    const res = (await execPlugin('ADD', conf, rt)).parsed as { ips: { address: string }[] };
    expect(res.ips[0].address).toMatch(/^10\.111\.\d+\.\d+\/26$/);
    const ip = res.ips[0].address.split('/')[0];
    expect((await ipamState(store)).addresses.has(ip)).toBe(true);
    await execPlugin('DEL', conf, rt);
    expect((await ipamState(store)).addresses.has(ip)).toBe(false);
  }, 60_000);
});
