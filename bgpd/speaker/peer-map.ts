// One configured peer → what the session layer and the RIB each need. Config peers come from
// `peers:` in the YAML; mesh peers are handed in by the caller (node registry) and get the
// top-level timers and graceful-restart settings, like Calico's node-to-node mesh.
import type { AddressFamily, PeerConfig, TortieConfig } from '../../config/types';
import type { PeerType } from '../control/protocol';
import type { Policy } from '../rib/policy';
import type { RibPeerConfig } from '../rib/types';
import type { Family, PeerConfig as SessionPeerConfig } from '../session/peer-config';
import { Afi, Safi } from '../wire/types';
import { policyChain } from './policy-map';

/** A peer as the speaker runs it: the normalized config plus its Calico-style type. */
export interface SpeakerPeer extends PeerConfig {
  type: PeerType;
  /**
   * Definitions of policy names in importPolicy/exportPolicy that come with the peer instead of from the
   * config file (BGPFilter objects of the cluster, bgpd/agent/k8s-filters.ts); they win over a config
   * policy of the same name. Carried on the peer so a filter change is a change of this peer only.
   */
  policies?: Readonly<Record<string, Policy>>;
}

/** The node-wide settings the peer mapping needs (a TortieConfig satisfies it). */
export type SpeakerIdentity = Pick<TortieConfig, 'asNumber' | 'routerId' | 'routeReflector' | 'nodeToNodeMesh' | 'timers' | 'gracefulRestart'>;

/**
 * Type of a peer from `peers:`: our client when we reflect to it; an iBGP peer of a node that is
 * not itself a reflector and runs without the mesh is, in Calico deployments, a route reflector.
 */
export function configPeerType(node: SpeakerIdentity, p: PeerConfig): PeerType {
  if (p.routeReflectorClient) return 'rr-client';
  if (p.asNumber === node.asNumber && !node.routeReflector && !node.nodeToNodeMesh) return 'rr';
  return p.node !== undefined ? 'node' : 'global';
}

export function fromConfig(node: SpeakerIdentity, p: PeerConfig): SpeakerPeer {
  return { ...p, type: configPeerType(node, p) };
}

/** Calico's mesh peer naming: "Mesh_10_0_0_2". */
export function meshPeerName(address: string): string {
  return `Mesh_${address.replace(/[.:]/g, '_')}`;
}

export interface MeshPeerInput {
  address: string;
  name?: string;
  /** Default: the mesh's type; 'rr' for a node that reflects to us. */
  type?: 'mesh' | 'rr';
  port?: number;
}

export function meshPeer(node: SpeakerIdentity, m: MeshPeerInput): SpeakerPeer {
  const family: AddressFamily = m.address.includes(':') ? 'ipv6' : 'ipv4';
  return {
    name: m.name ?? meshPeerName(m.address),
    address: m.address,
    asNumber: node.asNumber,
    port: m.port ?? 179,
    passive: false,
    holdTime: node.timers.holdTime,
    keepaliveTime: node.timers.keepaliveTime,
    connectRetryTime: node.timers.connectRetryTime,
    routeReflectorClient: false,
    nextHopSelf: false,
    allowAsIn: 0,
    gracefulRestart: { ...node.gracefulRestart },
    families: [family],
    importPolicy: [],
    exportPolicy: [],
    type: m.type ?? 'mesh',
  };
}

export function familyOf(f: AddressFamily): Family {
  return { afi: f === 'ipv6' ? Afi.IPv6 : Afi.IPv4, safi: Safi.Unicast };
}

export function familyName(afi: Afi): AddressFamily {
  return afi === Afi.IPv6 ? 'ipv6' : 'ipv4';
}

export interface RestartState {
  /** We came back from an unclean stop within the restart time (RFC 4724 R bit). */
  restarting: boolean;
}

export function sessionConfig(node: SpeakerIdentity, p: SpeakerPeer, restart: RestartState): SessionPeerConfig {
  return {
    name: p.name,
    localAs: node.asNumber,
    peerAs: p.asNumber,
    routerId: node.routerId,
    peerAddress: p.address,
    ...(p.localAddress ? { localAddress: p.localAddress } : {}),
    peerPort: p.port,
    passive: p.passive,
    holdTime: p.holdTime,
    keepaliveTime: p.keepaliveTime,
    families: p.families.map(familyOf),
    routeRefresh: true,
    enhancedRouteRefresh: true,
    extendedMessage: true,
    ...(p.gracefulRestart.enabled
      ? {
          gracefulRestart: {
            restartTime: p.gracefulRestart.restartTime,
            restarting: restart.restarting,
            // the dataplane keeps the kernel routes when bgpd dies, so forwarding survived the restart
            forwardingPreserved: restart.restarting,
          },
        }
      : {}),
    fsm: { connectRetryTime: p.connectRetryTime },
  };
}

export function ribPeerConfig(p: SpeakerPeer, configPolicies: ReadonlyMap<string, Policy>): RibPeerConfig {
  const policies = p.policies ? new Map([...configPolicies, ...Object.entries(p.policies)]) : configPolicies;
  const importPolicy = policyChain(p.importPolicy, policies);
  const exportPolicy = policyChain(p.exportPolicy, policies);
  return {
    address: p.address,
    remoteAs: p.asNumber,
    rrClient: p.routeReflectorClient,
    nextHop: p.nextHopSelf ? 'self' : 'auto',
    allowOwnAs: p.allowAsIn,
    ...(importPolicy ? { importPolicy } : {}),
    ...(exportPolicy ? { exportPolicy } : {}),
    // 'warn' must not drop routes, so only 'restart' hands the limit to the RIB (which stops accepting)
    ...(p.maxPrefix && p.maxPrefix.action === 'restart' ? { maxPrefix: p.maxPrefix.limit } : {}),
  };
}
