// What an explicit BGPPeer object may set beyond the mesh defaults the agent gives every session
// (timers, graceful-restart time, allowAsIn, TCP-MD5 key, BGPFilter policies), and how that lands
// in the SpeakerPeer. Kept apart from agent.ts so the Kubernetes parsing and the agent share one type.
import { createHash } from 'node:crypto';
import type { Policy } from '../rib/policy';
import type { SpeakerPeer } from '../speaker/peer-map';

export interface PeerOverrides {
  holdTime?: number;
  keepaliveTime?: number;
  /** Graceful-restart time offered to this peer (BGPPeer maxRestartTime). */
  restartTime?: number;
  allowAsIn?: number;
  /** TCP-MD5 key. Never logged; the signature below holds only a hash of it. */
  password?: string;
  importPolicy?: readonly string[];
  exportPolicy?: readonly string[];
  /** Definitions of the names above (k8s-filters.ts). */
  policies?: Readonly<Record<string, Policy>>;
}

export function applyOverrides(base: SpeakerPeer, o: PeerOverrides | undefined): SpeakerPeer {
  if (!o) return base;
  return {
    ...base,
    ...(o.holdTime !== undefined ? { holdTime: o.holdTime } : {}),
    ...(o.keepaliveTime !== undefined ? { keepaliveTime: o.keepaliveTime } : {}),
    ...(o.restartTime !== undefined ? { gracefulRestart: { ...base.gracefulRestart, restartTime: o.restartTime } } : {}),
    ...(o.allowAsIn !== undefined ? { allowAsIn: o.allowAsIn } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.importPolicy ? { importPolicy: [...base.importPolicy, ...o.importPolicy] } : {}),
    ...(o.exportPolicy ? { exportPolicy: [...base.exportPolicy, ...o.exportPolicy] } : {}),
    ...(o.policies ? { policies: { ...base.policies, ...o.policies } } : {}),
  };
}

export interface OverridesSignature {
  /** Everything that needs a new session when it changes (timers, password hash, GR time, allowAsIn). */
  session: string;
  /** The import / export chains with their definitions: a change here alone can be applied in place. */
  import: string;
  export: string;
}

/** Part of the agent's peer signature; the password appears only as a SHA-256. */
export function overridesSignature(o: PeerOverrides | undefined): OverridesSignature {
  if (!o) return { session: '', import: '', export: '' };
  const { password, importPolicy, exportPolicy, policies, ...rest } = o;
  const pw = password === undefined ? '' : createHash('sha256').update(password).digest('hex');
  const chain = (names: readonly string[] | undefined): string => JSON.stringify((names ?? []).map((n) => [n, policies?.[n]]));
  return { session: `${pw}|${JSON.stringify(rest)}`, import: chain(importPolicy), export: chain(exportPolicy) };
}
