import { createHash } from 'node:crypto';

/**
 * A node's VXLAN device MAC when none is configured: 0x66 then the first 5 bytes of SHA-1 of the node
 * name (Calico's rule, calico.md §5.2), so every node computes the same MAC for a peer without asking.
 * 0x66 has the locally-administered bit set and the multicast bit clear.
 */
export function vtepMacFor(nodeName: string, family: 4 | 6 = 4): string {
  const digest = createHash('sha1').update(family === 6 ? `${nodeName}-v6` : nodeName).digest();
  return [0x66, ...digest.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
