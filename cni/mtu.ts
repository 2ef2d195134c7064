// The veth MTU: the netconf's `mtu`, else the underlay MTU minus the encapsulation overhead of the
// pod's pool (Felix's rule, shared/reference/calico.md §2.7), so pods never send frames the tunnel
// would have to fragment.
import type { Encapsulation } from './netconf';

export const ENCAP_OVERHEAD: Record<Encapsulation, { 4: number; 6: number }> = {
  none: { 4: 0, 6: 0 },
  ipip: { 4: 20, 6: 20 },
  vxlan: { 4: 50, 6: 70 },
};

/** Felix's MTUIfacePattern: physical-looking interfaces. */
export const UNDERLAY_PATTERN = /^((en|wl|ww|sl|ib)[Pcopsvx].*|(eth|wlan|wwan).*)/;
/** Felix's fallback when no interface matches. */
export const DEFAULT_UNDERLAY_MTU = 1460;

export interface LinkMtu {
  name: string;
  mtu: number;
  up: boolean;
}

/** Smallest MTU among up links that look like the underlay. */
export function underlayMtu(links: readonly LinkMtu[]): number {
  const mtus = links.filter((l) => l.up && l.mtu > 0 && UNDERLAY_PATTERN.test(l.name)).map((l) => l.mtu);
  return mtus.length ? Math.min(...mtus) : DEFAULT_UNDERLAY_MTU;
}

export interface MtuInputs {
  confMtu?: number;
  confUnderlayMtu?: number;
  confEncapsulation?: Encapsulation;
  /** encapsulation and family of each address the pod gets */
  addresses: readonly { family: 4 | 6; encapsulation: Encapsulation }[];
  /** read lazily: only needed when neither mtu nor underlay_mtu is configured */
  hostLinks: () => readonly LinkMtu[];
}

export function podMtu(i: MtuInputs): number {
  if (i.confMtu) return i.confMtu;
  const base = i.confUnderlayMtu ?? underlayMtu(i.hostLinks());
  let overhead = 0;
  for (const a of i.addresses) overhead = Math.max(overhead, ENCAP_OVERHEAD[i.confEncapsulation ?? a.encapsulation][a.family]);
  if (i.addresses.length === 0 && i.confEncapsulation) overhead = ENCAP_OVERHEAD[i.confEncapsulation][4];
  return base - overhead;
}
