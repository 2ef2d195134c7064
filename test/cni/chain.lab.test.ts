// tortie in the middle of a conflist: a plugin before it produced a result (prevResult on ADD must be
// kept and merged: its interfaces first, our ip's interface index shifted, its routes and DNS kept),
// and plugins after it get tortie's result as their prevResult (a recorder, then Debian's portmap,
// which prints its prevResult back when it has no port mappings).
import { chmodSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNetworkList, checkNetworkList, delNetworkList, type ConfList, type RuntimeConf } from './exec-client';
import { ipamState } from './ipam-state';
import { CNI_PATH, createLab, netnsPath, type CniLab } from './lab';

let lab: CniLab;
let pluginDir: string;
let recordDir: string;

beforeAll(async () => {
  lab = await createLab([{ cidr: '10.113.0.0/16' }]);
  pluginDir = join(lab.dir, 'plugins');
  recordDir = join(lab.dir, 'records');
  mkdirSync(pluginDir);
  mkdirSync(recordDir);
  for (const type of ['t12-first', 't12-after']) {
    copyFileSync(join(import.meta.dirname, 'recording-plugin.cjs'), join(pluginDir, type));
    chmodSync(join(pluginDir, type), 0o755);
  }
});
afterAll(() => lab?.cleanup());

const recorded = (type: string, cmd: string): Record<string, unknown> => JSON.parse(readFileSync(join(recordDir, `${type}.${cmd}.json`), 'utf8')) as Record<string, unknown>;

describe('tortie chained after and before other plugins', () => {
  it('merges the earlier plugin\'s result and hands its own to the plugins after it', async () => {
    const pod = lab.pod('t12chain');
    const rt: RuntimeConf = {
      containerId: `t12chain${process.pid}`,
      netns: netnsPath(pod),
      ifname: 'eth0',
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 't12', K8S_POD_NAME: 'chained' },
      hostNetns: netnsPath(lab.host),
      cniPath: [pluginDir, ...CNI_PATH],
      env: { T12_RECORD_DIR: recordDir },
    };
    const list: ConfList = {
      cniVersion: '1.0.0', // portmap (plugins 1.1.1) speaks up to 1.0.0
      name: 'k8s-pod-network',
      plugins: [
        { type: 't12-first' },
        { type: 'tortie', datastore: lab.store, data_dir: join(lab.dir, 'cni'), log_file_path: join(lab.dir, 'cni.log'), nodename: 'node1', ipam: { type: 'tortie-ipam' } },
        { type: 't12-after' },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    };
    const final = await addNetworkList(list, rt) as { interfaces: { name: string; mac: string }[]; ips: { address: string }[] };
    const hostVeth = final.interfaces[1]?.name;
    const podIp = final.ips[1]?.address;
    expect(hostVeth).toMatch(/^cali[0-9a-f]{11}$/);
    expect(podIp).toMatch(/^10\.113\.\d+\.\d+\/32$/);
    const tortieResult = recorded('t12-after', 'ADD').prevResult;
    // Spec: a chained plugin keeps prevResult's interfaces, ips, routes and DNS and adds its own.
    expect(tortieResult).toEqual({
      cniVersion: '1.0.0',
      interfaces: [
        { name: 'net1', mac: '02:00:00:00:01:01', sandbox: rt.netns },
        { name: hostVeth, mac: 'ee:ee:ee:ee:ee:ee' },
        { name: 'eth0', mac: final.interfaces[2].mac, sandbox: rt.netns },
      ],
      ips: [
        { address: '10.200.0.10/24', gateway: '10.200.0.1', interface: 0 },
        { address: podIp, interface: 2 },
      ],
      routes: [{ dst: '10.200.0.0/24' }, { dst: '0.0.0.0/0', gw: '169.254.1.1' }],
      dns: { nameservers: ['10.200.0.53'], search: ['t12.test'] },
    });
    // portmap parsed tortie's result as its prevResult and printed it back as the chain's result.
    expect(final).toEqual(tortieResult);

    await checkNetworkList(list, rt, final);
    expect(recorded('t12-after', 'CHECK').prevResult).toEqual(final);
    await delNetworkList(list, rt, final);
    expect((await ipamState(lab.store)).addresses.has(podIp.split('/')[0])).toBe(false);
    expect(recorded('t12-first', 'DEL').prevResult).toEqual(final);
  });
});
