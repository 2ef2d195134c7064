import { formatPrefix, parseIp, parsePrefix } from '../ipaddr';

/** True when ip lies inside the subnet of cidr (same family, first len bits equal; host bits ignored). */
export function inSubnet(ip: string, cidr: string): boolean {
  const a = parseIp(ip);
  const p = parsePrefix(cidr);
  if (a.family !== p.family) return false;
  const full = p.len >> 3;
  for (let i = 0; i < full; i++) if (a.bytes[i] !== p.bytes[i]) return false;
  const rest = p.len & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a.bytes[full] & mask) === (p.bytes[full] & mask);
}

/**
 * Canonical prefix text with host bits cleared, the form the kernel reports in dumps: our map keys
 * must equal what reconcile reads back ("10.65.1.7/26" → "10.65.1.0/26").
 */
export function canonicalPrefix(text: string): string {
  const p = parsePrefix(text);
  const bytes = Buffer.from(p.bytes);
  for (let bit = p.len; bit < bytes.length * 8; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  return formatPrefix(bytes, p.len);
}

/** inSubnet with the subnet parsed once: the programmer asks for every next hop against one node subnet. */
export function subnetMatcher(cidr: string): (ip: string) => boolean {
  const p = parsePrefix(cidr);
  const full = p.len >> 3;
  const rest = p.len & 7;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip: string): boolean => {
    let a;
    try {
      a = parseIp(ip);
    } catch {
      return false;
    }
    if (a.family !== p.family) return false;
    for (let i = 0; i < full; i++) if (a.bytes[i] !== p.bytes[i]) return false;
    return rest === 0 || (a.bytes[full] & mask) === (p.bytes[full] & mask);
  };
}
