import { describe, expect, it } from 'vitest';
import { interfaceSysctlKey, sysctlPath } from './sysctl';

describe('sysctl paths', () => {
  it('maps dotted keys and segment arrays under /proc/sys/net', () => {
    expect(sysctlPath('net.ipv4.ip_forward')).toBe('/proc/sys/net/ipv4/ip_forward');
    expect(sysctlPath(interfaceSysctlKey('ipv4', 'eth0.100', 'rp_filter'))).toBe('/proc/sys/net/ipv4/conf/eth0.100/rp_filter');
    expect(sysctlPath(interfaceSysctlKey('ipv6', 'cali1', 'accept_ra'))).toBe('/proc/sys/net/ipv6/conf/cali1/accept_ra');
  });
  it('refuses non-net keys and path tricks', () => {
    expect(() => sysctlPath('kernel.hostname')).toThrow(/per-netns/);
    expect(() => sysctlPath(['net', 'ipv4', 'conf', '..', 'x'])).toThrow();
    expect(() => sysctlPath(['net', 'ipv4', 'conf', 'a/b', 'x'])).toThrow();
    expect(() => sysctlPath('net..ipv4')).toThrow();
  });
});
