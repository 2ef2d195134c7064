// The tortie-ipam commands, callable in-process (the tortie plugin does, to save a second node start
// per pod) and from cni/ipam-main.ts. Handle `<network>.<containerId>`, owner = pod, container, netns.
import type { IpFamily } from '../ipam/cidr';
import type { AllocationOwner, Assignment } from '../ipam/model';
import type { CniEnv } from './env';
import { CniCode, CniError, toCniError } from './errors';
import { handleId, nodeName, podIdentity } from './identity';
import { openIpam, type IpamHandle } from './ipam-store';
import type { Logger } from './log';
import type { Encapsulation, NetConf } from './netconf';
import type { CniResult } from './result';

export interface HeldAddress {
  ip: string;
  family: IpFamily;
  /** prefix length of the block the address came from (the IPAM result carries it, like calico-ipam) */
  blockPrefix?: number;
  /** the pool's encapsulation (for the veth MTU) */
  encapsulation: Encapsulation;
}

export interface IpamAddResult {
  result: CniResult;
  addresses: HeldAddress[];
  /** true when the handle already held addresses (a repeated ADD) */
  existing: boolean;
}

/** IPAM library errors as CNI errors: datastore trouble and lost races are worth a retry (11). */
export function ipamError(err: unknown, context: string): CniError {
  if (err instanceof CniError) return err;
  const name = (err as Error)?.name ?? '';
  const retry = name === 'TooManyRetriesError' || name === 'DatastoreError' || (err as NodeJS.ErrnoException)?.code === 'ECONNREFUSED';
  return toCniError(err, retry ? CniCode.TryAgainLater : CniCode.IpamFailure, context);
}

async function withIpam<T>(conf: NetConf, context: string, fn: (h: IpamHandle) => Promise<T>): Promise<T> {
  let h: IpamHandle | undefined;
  try {
    h = await openIpam(conf);
    return await fn(h);
  } catch (err) {
    throw ipamError(err, context);
  } finally {
    await h?.close().catch(() => {});
  }
}

/** What a handle holds now, read from its blocks (not from the handle's counts, which may lag). */
export async function addressesOfHandle(h: IpamHandle, handle: string): Promise<HeldAddress[]> {
  const { listPools } = await import('../ipam/pools');
  const { Cidr, parseIp } = await import('../ipam/cidr');
  const rec = await h.ipam.res.getHandle(handle);
  if (!rec) return [];
  const out: HeldAddress[] = [];
  for (const cidr of Object.keys(rec.value.block)) {
    const sb = await h.ipam.res.getBlock(cidr);
    if (!sb) continue;
    for (const ord of sb.block.ordinalsOf(handle)) out.push({ ip: sb.block.cidr.addressAt(ord), family: sb.block.cidr.family, blockPrefix: sb.block.cidr.prefix, encapsulation: 'none' });
  }
  if (out.length) {
    const pools = (await listPools(h.ds)).map((p) => ({ cidr: Cidr.parse(p.value.cidr)!, enc: p.value.encapsulation }));
    for (const a of out) a.encapsulation = pools.find((p) => p.cidr.contains(parseIp(a.ip)!))?.enc ?? 'none';
  }
  return out.sort((a, b) => a.family - b.family);
}

export function hostPrefix(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/**
 * The IPAM result, as calico-ipam gives it: each address with its block's mask (a main plugin such as
 * ptp derives the on-link subnet from it; tortie itself narrows to /32 and /128).
 */
function toResult(conf: NetConf, addrs: readonly HeldAddress[]): CniResult {
  return {
    cniVersion: conf.cniVersion,
    ips: addrs.map((a) => ({ address: a.blockPrefix !== undefined ? `${a.ip}/${a.blockPrefix}` : hostPrefix(a.ip) })),
    routes: addrs.map((a) => ({ dst: a.family === 4 ? '0.0.0.0/0' : '::/0' })),
    dns: {},
  };
}

export async function ipamAdd(conf: NetConf, env: CniEnv, log: Logger): Promise<IpamAddResult> {
  const handle = handleId(conf, env.containerId);
  const node = nodeName(conf);
  return withIpam(conf, 'IPAM ADD', async (h) => {
    const held = await addressesOfHandle(h, handle);
    if (held.length) {
      log.info(`ipam: handle ${handle} already holds ${held.map((a) => a.ip).join(', ')}; returning them`);
      return { result: toResult(conf, held), addresses: held, existing: true };
    }
    const id = podIdentity(env);
    const podUid = env.args.get('K8S_POD_UID');
    const owner: AllocationOwner = { ...id, ...(podUid ? { podUid } : {}), containerId: env.containerId, netns: env.netns };
    const wanted = env.args.get('IP');
    const assigned: Assignment[] = [];
    try {
      if (wanted) {
        for (const ip of wanted.split(',')) assigned.push(await h.ipam.assignIp({ ip: ip.trim(), handleId: handle, node, owner }));
      } else {
        const v4 = conf.ipam?.assign_ipv4 !== 'false';
        const v6 = conf.ipam?.assign_ipv6 === 'true';
        if (!v4 && !v6) throw new CniError(CniCode.InvalidNetconf, 'ipam: neither assign_ipv4 nor assign_ipv6 is enabled');
        if (v4) assigned.push(...(await h.ipam.autoAssign({ handleId: handle, node, family: 4, owner, pools: conf.ipam?.ipv4_pools })));
        if (v6) assigned.push(...(await h.ipam.autoAssign({ handleId: handle, node, family: 6, owner, pools: conf.ipam?.ipv6_pools })));
      }
    } catch (err) {
      // One family may have succeeded: give it back so a failed ADD holds nothing.
      await h.ipam.releaseByHandle(handle).catch((e: Error) => log.error(`ipam: release after failed ADD: ${e.message}`));
      throw err;
    }
    // From the assignments themselves (no re-read of handle and blocks); pools only for their encapsulation.
    const { listPools } = await import('../ipam/pools');
    const pools = new Map((await listPools(h.ds)).map((p) => [p.value.name, p.value] as const));
    const got: HeldAddress[] = assigned
      .map((a) => ({ ip: a.ip, family: a.family, blockPrefix: Number(a.block.split('/')[1]), encapsulation: pools.get(a.pool)?.encapsulation ?? 'none' }))
      .sort((a, b) => a.family - b.family);
    log.info(`ipam: node ${node} handle ${handle} assigned ${got.map((a) => a.ip).join(', ')}`);
    return { result: toResult(conf, got), addresses: got, existing: false };
  });
}

/** Releases the handle; an unknown handle is success (DEL must be idempotent). */
export async function ipamDel(conf: NetConf, env: CniEnv, log: Logger): Promise<number> {
  const handle = handleId(conf, env.containerId);
  return withIpam(conf, 'IPAM DEL', async (h) => {
    const n = await h.ipam.releaseByHandle(handle);
    log.info(`ipam: released ${n} address(es) of handle ${handle}`);
    return n;
  });
}

/** Problems found (empty = fine): every address of `ips` must still be held by the container's handle. */
export async function ipamCheck(conf: NetConf, env: CniEnv, ips: readonly string[]): Promise<string[]> {
  const handle = handleId(conf, env.containerId);
  return withIpam(conf, 'IPAM CHECK', async (h) => {
    const held = new Set((await addressesOfHandle(h, handle)).map((a) => a.ip));
    const problems: string[] = [];
    for (const ip of ips) if (!held.has(ip)) problems.push(`IPAM: ${ip} is not held by handle ${handle}`);
    if (ips.length === 0 && held.size === 0) problems.push(`IPAM: handle ${handle} holds no address`);
    return problems;
  });
}

/** STATUS: the datastore answers and has at least one enabled pool to allocate from. */
export async function ipamStatus(conf: NetConf): Promise<void> {
  let pools: { disabled: boolean }[];
  try {
    pools = await withIpam(conf, 'IPAM STATUS', async (h) => {
      const { listPools } = await import('../ipam/pools');
      return (await listPools(h.ds)).map((p) => p.value);
    });
  } catch (err) {
    throw new CniError(CniCode.NotAvailable, `IPAM datastore is not available: ${(err as Error).message}`);
  }
  if (!pools.some((p) => !p.disabled)) throw new CniError(CniCode.NotAvailable, 'no enabled IP pool in the IPAM datastore');
}

/**
 * GC: releases this node's handles of this network whose container is not in the runtime's list of
 * valid attachments. Handles of other nodes are never touched (the list only covers this node).
 */
export async function ipamGc(conf: NetConf, log: Logger): Promise<string[]> {
  const valid = new Set((conf.validAttachments ?? []).map((a) => a.containerID));
  const node = nodeName(conf);
  const prefix = `${conf.name}.`;
  return withIpam(conf, 'IPAM GC', async (h) => {
    const released: string[] = [];
    for (const rec of await h.ipam.res.listHandles()) {
      const id = rec.value.handleId;
      if (!id.startsWith(prefix) || valid.has(id.slice(prefix.length))) continue;
      let ours = true;
      for (const cidr of Object.keys(rec.value.block)) {
        const sb = await h.ipam.res.getBlock(cidr);
        for (const ord of sb?.block.ordinalsOf(id) ?? []) if (sb!.block.attributeOf(ord)?.owner.node !== node) ours = false;
      }
      if (!ours) continue;
      await h.ipam.releaseByHandle(id);
      released.push(id);
      log.info(`gc: released handle ${id}`);
    }
    return released;
  });
}
