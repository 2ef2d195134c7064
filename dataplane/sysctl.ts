import * as fs from 'node:fs';
import { withNetns } from './netns';

// sysctls are files under /proc/sys, which resolve against the *calling thread's* netns (sysfs would
// not: it follows the mount). So a sync write inside withNetns() lands in the target netns only.

export type SysctlFamily = 'ipv4' | 'ipv6';

function checkSegment(s: string): void {
  if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\0')) {
    throw new Error(`invalid sysctl path segment ${JSON.stringify(s)}`);
  }
}

/** "net.ipv4.ip_forward" or ["net","ipv4","conf","eth0.5","rp_filter"] (use the array when a name has dots). */
export function sysctlPath(key: string | readonly string[]): string {
  const parts = typeof key === 'string' ? key.split('.') : [...key];
  parts.forEach(checkSegment);
  if (parts[0] !== 'net') throw new Error(`only net.* sysctls are per-netns: ${parts.join('.')}`);
  return `/proc/sys/${parts.join('/')}`;
}

function inNetns<T>(netns: string | undefined, fn: () => T): T {
  return netns ? withNetns(netns, fn) : fn();
}

export function writeSysctl(netns: string | undefined, key: string | readonly string[], value: string | number): void {
  const path = sysctlPath(key);
  inNetns(netns, () => fs.writeFileSync(path, String(value)));
}

export function readSysctl(netns: string | undefined, key: string | readonly string[]): string {
  const path = sysctlPath(key);
  return inNetns(netns, () => fs.readFileSync(path, 'utf8').trim());
}

/** e.g. ('ipv4', 'cali123', 'proxy_arp', 1) → net.ipv4.conf.cali123.proxy_arp */
export function interfaceSysctlKey(family: SysctlFamily, dev: string, key: string): string[] {
  return ['net', family, 'conf', dev, key];
}

/** Sysctl access bound to one netns (undefined = the caller's). */
export class Sysctl {
  constructor(private readonly netns: string | undefined) {}
  write(key: string | readonly string[], value: string | number): void { writeSysctl(this.netns, key, value); }
  read(key: string | readonly string[]): string { return readSysctl(this.netns, key); }
  writeInterface(family: SysctlFamily, dev: string, key: string, value: string | number): void {
    writeSysctl(this.netns, interfaceSysctlKey(family, dev, key), value);
  }
  readInterface(family: SysctlFamily, dev: string, key: string): string {
    return readSysctl(this.netns, interfaceSysctlKey(family, dev, key));
  }
}
