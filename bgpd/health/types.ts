// What the health server reads, as plain data: the daemon adapts its speaker, agent, programmer and
// datastore to these (speaker-source.ts does the speaker), tests hand in literals.

export interface PeerHealth {
  name: string;
  address: string;
  /** RFC 4271 state name. */
  state: string;
  /** ms since epoch of the last state change (or of the peer being added). */
  since: number;
  prefixesReceived: number;
  prefixesAccepted: number;
  prefixesSent: number;
  updatesIn: number;
  updatesOut: number;
  /** The peer is in a graceful restart: its routes are held stale until it is back (RFC 4724 helper). */
  gracefulRestart?: boolean;
}

export interface KernelRouteCounters {
  routeAdds: number;
  routeReplaces: number;
  routeDels: number;
  /** Failed operations by errno name. */
  errors: Record<string, number>;
}

export interface IpamUsage {
  pool: string;
  allocated: number;
  capacity: number;
  blocks: number;
}

export interface HealthSources {
  peers(): PeerHealth[];
  /** Resolves true when the datastore answers (a read of its revision). */
  datastoreReachable(): Promise<boolean>;
  /** False until the peer source (Kubernetes) has completed its first sync: until then no peers is no answer. Default: true. */
  peersSynced?(): boolean;
  kernelRoutes?(): KernelRouteCounters;
  ipamUsage?(): IpamUsage[];
}
