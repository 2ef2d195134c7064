// The normalized, fully defaulted configuration the daemon runs on. Everything optional in the YAML has
// been filled in here (see config/README.md for each key's default and meaning); addresses and CIDRs are
// canonical (IPv6 per RFC 5952), durations are whole seconds, communities are "asn:value".

export type AddressFamily = 'ipv4' | 'ipv6';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type Encapsulation = 'none' | 'ipip' | 'vxlan';

export interface TortieConfig {
  nodeName: string;
  /** Dotted quad; "hash" in the YAML has already been turned into one. */
  routerId: string;
  asNumber: number;
  /** The node's IPv4 address (explicit or the first global IPv4 on the host); used as next hop / source. */
  nodeAddress?: string;
  /** The node's IPv4 subnet, only when written as address/len (used by pools with crossSubnet). */
  nodeSubnet?: string;
  nodeAddressV6?: string;
  nodeSubnetV6?: string;
  /** address undefined = listen on every address. */
  listen: { address?: string; port: number };
  datastore: DatastoreConfig;
  /** With the Kubernetes datastore: where the config file beats the BGPConfiguration CRD. */
  kubernetes: KubernetesConfig;
  nodeToNodeMesh: boolean;
  peers: PeerConfig[];
  /** Extra prefixes to originate (service CIDRs); pod blocks come from IPAM. */
  advertisePrefixes: string[];
  pools: PoolConfig[];
  policies: PolicyConfig[];
  /** Present when this node is a route reflector. */
  routeReflector?: { clusterId: string };
  gracefulRestart: GracefulRestartConfig;
  /**
   * What SIGTERM (the kubelet's stop on a rolling update) does to the sessions: 'graceful' closes them
   * without a NOTIFICATION and keeps the restart marker, so graceful-restart peers keep our routes until
   * we are back; 'notify' sends Cease/Administrative Shutdown (peers drop our routes at once). SIGINT
   * always notifies.
   */
  shutdown: { onSigterm: 'graceful' | 'notify' };
  multipath: { maxPaths: number };
  timers: TimersConfig;
  log: { level: LogLevel };
  health: { enabled: boolean; address: string; port: number };
  ipam: IpamConfig;
  /**
   * Whether best routes are programmed into the kernel FIB (also needs nodeAddress on a local
   * interface). Off = a pure route server / benchmark target, like BIRD without a kernel protocol.
   */
  kernelRoutes: { enabled: boolean };
  control: { socket: string };
}

export type DatastoreConfig =
  | { type: 'file'; path: string }
  | { type: 'etcd'; endpoints: string[]; prefix: string; tls?: EtcdTlsConfig }
  | { type: 'kubernetes'; kubeconfig?: string };

/**
 * A BGPConfiguration field and the config file key it competes with: asNumber ↔ asNumber,
 * nodeToNodeMesh ↔ nodeToNodeMesh, listenPort ↔ listen.port, nodeMeshMaxRestartTime ↔
 * gracefulRestart.restartTime, logSeverityScreen ↔ log.level.
 */
export type ConfigFileField = 'asNumber' | 'nodeToNodeMesh' | 'listenPort' | 'nodeMeshMaxRestartTime' | 'logSeverityScreen';

export interface KubernetesConfig {
  /** Fields whose BGPConfiguration value is ignored in favour of the config file (default: none — the CRD wins). */
  configFileWins: ConfigFileField[];
}

export interface EtcdTlsConfig {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface TimersConfig {
  holdTime: number;
  keepaliveTime: number;
  connectRetryTime: number;
}

export interface GracefulRestartConfig {
  enabled: boolean;
  restartTime: number;
}

export interface MaxPrefixConfig {
  limit: number;
  action: 'warn' | 'restart';
  /** Seconds before re-establishing after a limit teardown; only with action restart. */
  restartAfter?: number;
}

export interface PeerConfig {
  name: string;
  /** Only the node with this nodeName peers with it (a per-rack ToR); absent = every node. */
  node?: string;
  address: string;
  asNumber: number;
  port: number;
  passive: boolean;
  localAddress?: string;
  holdTime: number;
  keepaliveTime: number;
  connectRetryTime: number;
  /** RFC 2385 TCP-MD5 key; needs kernel TCP_MD5SIG support (see config/README.md). */
  password?: string;
  routeReflectorClient: boolean;
  nextHopSelf: boolean;
  /** How many times our own AS may appear in a received AS path (0 = standard loop detection). */
  allowAsIn: number;
  maxPrefix?: MaxPrefixConfig;
  gracefulRestart: GracefulRestartConfig;
  families: AddressFamily[];
  /** Policy names, applied in order. */
  importPolicy: string[];
  exportPolicy: string[];
}

export interface PoolConfig {
  cidr: string;
  blockSize: number;
  encapsulation: Encapsulation;
  /** Encapsulate only towards nodes outside this node's subnet. */
  crossSubnet: boolean;
  natOutgoing: boolean;
  /** No new addresses are allocated from a disabled pool. */
  disabled: boolean;
  /** Blocks from this pool are not advertised over BGP. */
  disableBGPExport: boolean;
}

export interface IpamConfig {
  strictAffinity: boolean;
  /** 0 = unlimited. */
  maxBlocksPerHost: number;
  autoAllocateBlocks: boolean;
}

export interface PolicyConfig {
  name: string;
  rules: PolicyRule[];
  /** For routes no rule decided: builtin = on to the next policy in the list, then tortie's built-in behaviour. */
  defaultAction: 'builtin' | 'accept' | 'reject';
}

export interface PolicyRule {
  match: PolicyMatch;
  /** next = apply `set` and keep evaluating the following rules. */
  action: 'accept' | 'reject' | 'next';
  set?: PolicySet;
}

/** Every given condition must hold; within a list, any entry may match. */
export interface PolicyMatch {
  prefixes?: PrefixMatch[];
  communities?: string[];
  largeCommunities?: string[];
  asPath?: { contains?: number[]; origin?: number[]; maxLength?: number };
  family?: AddressFamily;
}

/** Matches routes inside `cidr` whose prefix length is within ge..le (FRR/BIRD prefix-list semantics). */
export interface PrefixMatch {
  cidr: string;
  ge: number;
  le: number;
}

export interface PolicySet {
  localPref?: number;
  med?: number;
  /** "self" or an address. */
  nextHop?: string;
  prepend?: { count: number; asNumber?: number };
  addCommunities?: string[];
  /** "*" may stand for either part, e.g. "65000:*". */
  removeCommunities?: string[];
  addLargeCommunities?: string[];
  removeLargeCommunities?: string[];
}
