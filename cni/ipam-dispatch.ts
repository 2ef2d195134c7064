// The IPAM step of the main plugin: `tortie-ipam` runs in-process (same code as the tortie-ipam
// binary, without a second node start per pod); any other `ipam.type` (host-local, …) is executed from
// CNI_PATH with our stdin, exactly as a runtime would. delegate.ts (child_process) is loaded only then.
import type { CniEnv } from './env';
import { CniCode, CniError } from './errors';
import type { HeldAddress } from './ipam-plugin';
import type { Logger } from './log';
import type { IpamConf, NetConf } from './netconf';
import { parseResult, type CniResult } from './result';

export interface IpamOutcome {
  result: CniResult;
  addresses: HeldAddress[];
}

export const IN_PROCESS_IPAM = 'tortie-ipam';

async function delegate(type: string, path: readonly string[], command: string, stdin: string): Promise<unknown> {
  const { execPlugin } = await import('./delegate');
  return execPlugin(type, path, command, stdin);
}

export function requireIpam(conf: NetConf): IpamConf {
  if (!conf.ipam) throw new CniError(CniCode.InvalidNetconf, 'the ipam section is missing', 'e.g. "ipam": {"type": "tortie-ipam"}');
  return conf.ipam;
}

export async function ipamAddAny(conf: NetConf, env: CniEnv, stdin: string, log: Logger): Promise<IpamOutcome> {
  const ipam = requireIpam(conf);
  if (ipam.type === IN_PROCESS_IPAM) {
    const { ipamAdd } = await import('./ipam-plugin');
    return ipamAdd(conf, env, log);
  }
  const result = parseResult(await delegate(ipam.type, env.path, 'ADD', stdin), `${ipam.type} result`);
  const addresses: HeldAddress[] = (result.ips ?? []).map((i) => {
    const ip = i.address.split('/')[0];
    return { ip, family: ip.includes(':') ? 6 : 4, encapsulation: 'none' };
  });
  log.info(`ipam: ${ipam.type} assigned ${addresses.map((a) => a.ip).join(', ')}`);
  return { result, addresses };
}

export async function ipamDelAny(conf: NetConf, env: CniEnv, stdin: string, log: Logger): Promise<void> {
  const ipam = requireIpam(conf);
  if (ipam.type === IN_PROCESS_IPAM) {
    const { ipamDel } = await import('./ipam-plugin');
    await ipamDel(conf, env, log);
    return;
  }
  await delegate(ipam.type, env.path, 'DEL', stdin);
  log.info(`ipam: ${ipam.type} DEL done`);
}

/** Problems (empty = fine). */
export async function ipamCheckAny(conf: NetConf, env: CniEnv, stdin: string, ips: readonly string[]): Promise<string[]> {
  const ipam = requireIpam(conf);
  if (ipam.type === IN_PROCESS_IPAM) {
    const { ipamCheck } = await import('./ipam-plugin');
    return ipamCheck(conf, env, ips);
  }
  try {
    await delegate(ipam.type, env.path, 'CHECK', stdin);
    return [];
  } catch (err) {
    return [`IPAM ${ipam.type}: ${(err as Error).message}`];
  }
}
