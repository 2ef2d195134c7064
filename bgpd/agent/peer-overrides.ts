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

/** Part of the agent's peer signature: any change here re-creates that one session. */
export function overridesSignature(o: PeerOverrides | undefined): string {
  if (!o) return '';
  const { password, ...rest } = o;
  const pw = password === undefined ? '' : createHash('sha256').update(password).digest('hex');
  return `${pw}|${JSON.stringify(rest)}`;
}
