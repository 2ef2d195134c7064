// The `tortie` plugin's commands. ADD: IPAM → veth + addresses + routes (pod-network.ts) → result,
// rolling back everything on any failure; DEL: container interface, then IPAM, tolerating whatever is
// already gone; CHECK: kernel state and IPAM against prevResult.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Netlink } from '../dataplane';
import type { CniEnv } from './env';
import { CniCode, CniError } from './errors';
import { faultPoint } from './fault';
import { hostVethName } from './identity';
import { ipamAddAny, ipamCheckAny, ipamDelAny, requireIpam, IN_PROCESS_IPAM } from './ipam-dispatch';
import type { Logger } from './log';
import { podMtu } from './mtu';
import type { NetConf } from './netconf';
import { GATEWAY_V4, GATEWAY_V6, type PodAddress } from './pod-network';
import { cachePath, readCache, removeCache, writeCache } from './result-cache';
import type { CniResult } from './result';
import { Rollback } from './rollback';

type Dataplane = typeof import('../dataplane');

const loadDataplane = (): Promise<Dataplane> => import('../dataplane');

const isErrno = (err: unknown, ...names: string[]): boolean => names.includes((err as { errno?: string })?.errno ?? '');

/** Opens the container's netns; a missing one is the runtime's mistake on ADD/CHECK (code 4). */
function openContainer(dp: Dataplane, netns: string): Netlink {
  try {
    return dp.Netlink.open({ netns });
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'EINVAL')) throw new CniError(CniCode.InvalidEnvironment, `CNI_NETNS ${netns} is not a network namespace`, (err as Error).message);
    throw err;
  }
}

export async function cmdAdd(conf: NetConf, env: CniEnv, stdin: string, log: Logger): Promise<CniResult> {
  requireIpam(conf);
  log.info(`ADD ${env.netns}:${env.ifname}`);
  const dp = await loadDataplane();
  const cacheFile = cachePath(conf, env.containerId, env.ifname);
  const hostVeth = hostVethName(env, conf.interface_prefix);
  const host = dp.Netlink.open();
  let cont: Netlink | undefined;
  try {
    // Repeated ADD for the same attachment: answer with the first result while its wiring still exists.
    const cached = readCache(cacheFile);
    if (cached && cached.netns === env.netns) {
      cont = openContainer(dp, env.netns);
      if (cont.links.get(env.ifname) && host.links.get(cached.hostVeth)) {
        log.info(`ADD repeated: returning the existing result for ${cached.hostVeth}`);
        return cached.result;
      }
    }
    // Before IPAM: a bad CNI_NETNS must fail without allocating anything.
    cont ??= openContainer(dp, env.netns);
    const rollback = new Rollback();
    try {
      const ipam = await ipamAddAny(conf, env, stdin, log);
      rollback.push(`release IPAM for ${env.containerId}`, () => ipamDelAny(conf, env, stdin, log));
      faultPoint('ipam');
      if (ipam.addresses.length === 0) throw new CniError(CniCode.IpamFailure, `IPAM plugin ${conf.ipam!.type} returned no IP addresses`);
      const addresses: PodAddress[] = ipam.addresses.map((a) => ({ ip: a.ip, family: a.family }));
      const mtu = podMtu({
        confMtu: conf.mtu,
        confUnderlayMtu: conf.underlay_mtu,
        confEncapsulation: conf.encapsulation,
        addresses: ipam.addresses,
        hostLinks: () => host.links.list(),
      });
      const { setupPodNetwork, hostPrefixOf } = await import('./pod-network');
      const out = setupPodNetwork(host, cont, {
        hostVeth, ifname: env.ifname, netns: env.netns, mtu, addresses,
        allowIpForwarding: conf.container_settings?.allow_ip_forwarding,
      }, rollback, log);
      const result = buildResult(conf, env, hostVeth, out.hostMac, out.containerMac, mtu, addresses.map((a) => hostPrefixOf(a)), ipam.result);
      writeCache(cacheFile, { hostVeth, netns: env.netns, result });
      rollback.push(`remove cached result ${cacheFile}`, () => removeCache(cacheFile));
      faultPoint('result-cache');
      log.info(`ADD done: ${hostVeth} <-> ${env.netns}:${env.ifname} mtu ${mtu} ips ${addresses.map((a) => a.ip).join(', ')}`);
      return result;
    } catch (err) {
      log.error(`ADD failed: ${(err as Error).message}; rolling back`);
      await rollback.run(log);
      throw err;
    }
  } finally {
    cont?.close();
    host.close();
  }
}

function buildResult(conf: NetConf, env: CniEnv, hostVeth: string, hostMac: string, containerMac: string, mtu: number, prefixes: string[], ipamResult: CniResult): CniResult {
  const prev = conf.prevResult;
  const base = prev?.interfaces?.length ?? 0;
  const interfaces = [...(prev?.interfaces ?? []), { name: hostVeth, mac: hostMac }, { name: env.ifname, mac: containerMac, mtu, sandbox: env.netns }];
  const ips = [...(prev?.ips ?? []), ...prefixes.map((address) => ({ address, interface: base + 1 }))];
  const routes = [...(prev?.routes ?? [])];
  if (prefixes.some((p) => !p.includes(':'))) routes.push({ dst: '0.0.0.0/0', gw: GATEWAY_V4 });
  if (prefixes.some((p) => p.includes(':'))) routes.push({ dst: '::/0', gw: GATEWAY_V6 });
  return { cniVersion: conf.cniVersion, interfaces, ips, routes, dns: prev?.dns ?? ipamResult.dns ?? {} };
}

export async function cmdDel(conf: NetConf, env: CniEnv, stdin: string, log: Logger): Promise<void> {
  const errors: Error[] = [];
  if (env.netns) {
    const dp = await loadDataplane();
    let cont: Netlink | undefined;
    try {
      cont = dp.Netlink.open({ netns: env.netns });
      // Deleting the container end removes the pair, the host end's routes and the pod's addresses.
      // Only the container end: the host name is per pod, and a newer sandbox of the pod may own it.
      if (cont.links.get(env.ifname)) {
        cont.links.del(env.ifname);
        log.info(`DEL: removed ${env.ifname} from ${env.netns}`);
      } else log.info(`DEL: ${env.ifname} is already gone from ${env.netns}`);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENODEV', 'EINVAL')) log.info(`DEL: nothing to remove in ${env.netns} (${(err as Error).message})`);
      else errors.push(new CniError(CniCode.DataplaneFailure, `removing ${env.ifname} from ${env.netns}: ${(err as Error).message}`));
    } finally {
      cont?.close();
    }
  }
  if (conf.ipam) {
    try {
      await ipamDelAny(conf, env, stdin, log);
    } catch (err) {
      errors.push(err as Error);
    }
  }
  removeCache(cachePath(conf, env.containerId, env.ifname));
  if (errors.length) throw errors[0];
}

export async function cmdCheck(conf: NetConf, env: CniEnv, stdin: string, log: Logger): Promise<void> {
  const prev = conf.prevResult;
  if (!prev) throw new CniError(CniCode.InvalidNetconf, 'CHECK needs prevResult', 'the runtime passes the ADD result as prevResult');
  const ifIndex = (prev.interfaces ?? []).findIndex((i) => i.name === env.ifname && i.sandbox);
  const containerIf = ifIndex >= 0 ? prev.interfaces![ifIndex] : undefined;
  const ips = (prev.ips ?? []).filter((i) => ifIndex < 0 || i.interface === undefined || i.interface === ifIndex).map((i) => i.address.split('/')[0]);
  const addresses: PodAddress[] = ips.map((ip) => ({ ip, family: ip.includes(':') ? 6 : 4 }));
  const cached = readCache(cachePath(conf, env.containerId, env.ifname));
  const hostVeth = cached?.hostVeth ?? hostVethName(env, conf.interface_prefix);
  const dp = await loadDataplane();
  const { checkPodNetwork } = await import('./pod-check');
  const problems: string[] = [];
  const host = dp.Netlink.open();
  let cont: Netlink | undefined;
  try {
    cont = dp.Netlink.open({ netns: env.netns });
    problems.push(...checkPodNetwork(host, cont, { hostVeth, ifname: env.ifname, netns: env.netns, addresses, containerMac: containerIf?.mac, mtu: containerIf?.mtu }));
  } catch (err) {
    problems.push(isErrno(err, 'ENOENT') ? `container netns ${env.netns} does not exist` : `reading the pod's network: ${(err as Error).message}`);
  } finally {
    cont?.close();
    host.close();
  }
  if (conf.ipam) problems.push(...(await ipamCheckAny(conf, env, stdin, ips)));
  if (problems.length) {
    log.error(`CHECK: ${problems.join('; ')}`);
    throw new CniError(CniCode.CheckFailed, `CHECK found ${problems.length} problem(s): ${problems[0]}`, problems.join('; '));
  }
  log.info('CHECK ok');
}

export async function cmdStatus(conf: NetConf, env: CniEnv, stdin: string): Promise<void> {
  const ipam = requireIpam(conf);
  if (ipam.type === IN_PROCESS_IPAM) {
    const { ipamStatus } = await import('./ipam-plugin');
    await ipamStatus(conf);
    return;
  }
  try {
    const { execPlugin } = await import('./delegate');
    await execPlugin(ipam.type, env.path, 'STATUS', stdin);
  } catch (err) {
    throw new CniError(CniCode.NotAvailable, `IPAM plugin ${ipam.type} is not available: ${(err as Error).message}`);
  }
}

/** GC: IPAM of containers the runtime no longer lists, and their cached results. */
export async function cmdGc(conf: NetConf, env: CniEnv, stdin: string, log: Logger): Promise<void> {
  const ipam = requireIpam(conf);
  const valid = new Set((conf.validAttachments ?? []).map((a) => `${conf.name}-${a.containerID}-${a.ifname}.json`));
  const dir = dirname(cachePath(conf, 'x', 'x'));
  let files: string[] = [];
  try {
    files = readdirSync(dir);
  } catch {
    // no cache yet
  }
  for (const f of files) if (f.startsWith(`${conf.name}-`) && f.endsWith('.json') && !valid.has(f)) removeCache(`${dir}/${f}`);
  if (ipam.type === IN_PROCESS_IPAM) {
    const { ipamGc } = await import('./ipam-plugin');
    const released = await ipamGc(conf, log);
    log.info(`GC: released ${released.length} handle(s)`);
  } else {
    const { execPlugin } = await import('./delegate');
    await execPlugin(ipam.type, env.path, 'GC', stdin);
  }
}
