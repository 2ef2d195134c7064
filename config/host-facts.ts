// What the defaults for nodeName, nodeAddress(V6) and routerId are taken from. Passed in explicitly so
// validation is deterministic in tests; hostFacts() reads the real host.
import { hostname, networkInterfaces } from 'node:os';
import { parseIP } from './ip';

export interface HostFacts {
  hostname: string;
  /** NODE_NAME (the DaemonSet sets it from spec.nodeName) or Calico's NODENAME: the Kubernetes Node
   *  name, which can differ from the host name (cloud providers' FQDNs, renamed hosts). Wins over hostname. */
  nodeNameEnv?: string;
  /** Global (not loopback, not link-local) addresses in interface order. */
  ipv4: string[];
  ipv6: string[];
}

function isGlobal(address: string): boolean {
  const ip = parseIP(address);
  if (!ip) return false;
  if (ip.family === 4) {
    const first = Number(ip.value >> 24n);
    const second = Number((ip.value >> 16n) & 0xffn);
    return first !== 127 && first !== 0 && !(first === 169 && second === 254);
  }
  const top10 = Number(ip.value >> 118n);
  return ip.value > 1n && top10 !== 0x3fa; // not ::, ::1 or fe80::/10
}

export function hostFacts(): HostFacts {
  const ipv4: string[] = [];
  const ipv6: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal || !isGlobal(a.address)) continue;
      (a.family === 'IPv4' ? ipv4 : ipv6).push(a.address);
    }
  }
  const env = (process.env.NODE_NAME ?? process.env.NODENAME ?? '').trim();
  return { hostname: hostname(), ipv4, ipv6, ...(env ? { nodeNameEnv: env } : {}) };
}
