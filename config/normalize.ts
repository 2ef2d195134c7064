// Turns the schema's output into the TortieConfig the daemon runs on: fills the defaults that depend on
// other keys or on the host, and resolves "routerId: hash". Only called when the schema and the
// cross-field checks found nothing, so it can trust every value it reads.
import { createHash } from 'node:crypto';
import { describeValue } from './errors';
import type { Problem } from './errors';
import type { HostFacts } from './host-facts';
import { formatCidr, formatIP, maxPrefixLength, parseCidr, parseIP } from './ip';
import * as L from './leaves';
import type { ParsedConfig } from './schema';
import type { AddressFamily, DatastoreConfig, PeerConfig, PolicyConfig, PoolConfig, TortieConfig } from './types';

export const DEFAULT_DATASTORE_PATH = '/var/lib/tortie';
export const DEFAULT_ETCD_PREFIX = '/tortie';
const DEFAULT_MAX_PREFIX_RESTART = 60;

/** Calico's CALICO_ROUTER_ID=hash: first 4 bytes of SHA-256(node name), first octet kept out of 224+. */
export function hashRouterId(nodeName: string): string {
  const b = createHash('sha256').update(nodeName).digest();
  const first = b[0] > 223 ? b[0] - 32 : b[0];
  return [first, b[1], b[2], b[3]].join('.');
}

/** The mesh/peer naming Calico's `node status` uses: Global_198_18_0_254, with _port_N for non-179. */
export function defaultPeerName(address: string, port: number, node?: string): string {
  return `${node === undefined ? 'Global' : 'Node'}_${address.replace(/[.:]/g, '_')}${port === 179 ? '' : `_port_${port}`}`;
}

export type NormalizeResult = { config: TortieConfig } | { problems: Problem[] };

export function normalize(p: ParsedConfig, host: HostFacts): NormalizeResult {
  const problems: Problem[] = [];

  let nodeName = p.nodeName;
  if (nodeName === undefined && host.nodeNameEnv !== undefined) {
    // the Node object's name as the DaemonSet passes it: must match exactly, no case folding
    const fromEnv = L.nodeName(host.nodeNameEnv);
    if (fromEnv.ok) nodeName = fromEnv.value;
    else problems.push({ path: ['nodeName'], expected: fromEnv.expected, found: 'nothing', hint: `NODE_NAME ${describeValue(host.nodeNameEnv)} is not usable as a node name: set nodeName or fix NODE_NAME` });
  } else if (nodeName === undefined) {
    const fromHost = L.nodeName(host.hostname.toLowerCase());
    if (fromHost.ok) nodeName = fromHost.value;
    else problems.push({ path: ['nodeName'], expected: fromHost.expected, found: 'nothing', hint: `the host name ${describeValue(host.hostname)} is not usable as a node name: set nodeName` });
  }

  const nodeAddress = p.nodeAddress?.address ?? host.ipv4[0];
  const nodeAddressV6 = p.nodeAddressV6?.address ?? (host.ipv6[0] && formatIP(parseIP(host.ipv6[0])!));

  let routerId = p.routerId;
  if (routerId === 'hash') routerId = nodeName === undefined ? undefined : hashRouterId(nodeName);
  else if (routerId === undefined) {
    routerId = nodeAddress;
    if (routerId === undefined) {
      problems.push({ path: ['routerId'], expected: 'a router ID as a dotted quad (e.g. 198.18.0.1) or "hash"', found: 'nothing', hint: 'this host has no global IPv4 address to default to: set routerId (or nodeAddress)' });
    }
  }

  // a node advertises its blocks with itself as next hop, so each pool family needs a node address
  const poolOf = (v6: boolean) => p.pools.findIndex((pool) => pool.cidr.includes(':') === v6);
  if (nodeAddress === undefined && poolOf(false) >= 0 && p.routerId !== undefined) {
    problems.push({ path: ['nodeAddress'], expected: `an IPv4 address for the IPv4 pool pools[${poolOf(false)}]`, found: 'nothing', hint: 'this host has no global IPv4 address to default to: set nodeAddress' });
  }
  if (!nodeAddressV6 && poolOf(true) >= 0) {
    problems.push({ path: ['nodeAddressV6'], expected: `an IPv6 address for the IPv6 pool pools[${poolOf(true)}]`, found: 'nothing', hint: 'this host has no global IPv6 address to default to: set nodeAddressV6' });
  }

  // names must be unique on every node: a global peer's name clashes with any other peer's, a per-node
  // peer's only with the global ones and those of the same node
  const peerNames = new Map<string, { index: number; node?: string }[]>();
  const peers = p.peers.map((peer, i): PeerConfig => {
    const family: AddressFamily = peer.address.includes(':') ? 'ipv6' : 'ipv4';
    const holdTime = peer.holdTime ?? p.timers.holdTime;
    const name = peer.name ?? defaultPeerName(peer.address, peer.port, peer.node);
    const users = peerNames.get(name) ?? [];
    const clash = users.find((u) => u.node === undefined || peer.node === undefined || u.node === peer.node)?.index;
    if (clash !== undefined) problems.push({ path: ['peers', i, 'name'], expected: `a name not already used by peers[${clash}]`, found: describeValue(peer.name), hint: peer.name === undefined ? `peers[${clash}] is named ${name}, the default name of this peer: set a different name` : undefined });
    peerNames.set(name, [...users, { index: i, node: peer.node }]);
    const out: PeerConfig = {
      name,
      address: peer.address,
      asNumber: peer.asNumber,
      port: peer.port,
      passive: peer.passive,
      holdTime,
      keepaliveTime: peer.keepaliveTime ?? (peer.holdTime !== undefined ? Math.floor(holdTime / 3) : keepalive(p)),
      connectRetryTime: peer.connectRetryTime ?? p.timers.connectRetryTime,
      routeReflectorClient: peer.routeReflectorClient,
      nextHopSelf: peer.nextHopSelf,
      allowAsIn: peer.allowAsIn,
      gracefulRestart: {
        enabled: peer.gracefulRestart?.enabled ?? p.gracefulRestart.enabled,
        restartTime: peer.gracefulRestart?.restartTime ?? p.gracefulRestart.restartTime,
      },
      families: peer.families ?? [family],
      importPolicy: peer.importPolicy ?? [],
      exportPolicy: peer.exportPolicy ?? [],
    };
    if (peer.node !== undefined) out.node = peer.node;
    if (peer.localAddress !== undefined) out.localAddress = peer.localAddress;
    if (peer.password !== undefined) out.password = peer.password;
    if (peer.maxPrefix) {
      const { limit, action, restartAfter } = peer.maxPrefix;
      out.maxPrefix = action === 'restart' ? { limit, action, restartAfter: restartAfter ?? DEFAULT_MAX_PREFIX_RESTART } : { limit, action };
    }
    return out;
  });

  if (problems.length > 0 || nodeName === undefined || routerId === undefined) return { problems };

  const config: TortieConfig = {
    nodeName,
    routerId,
    asNumber: p.asNumber,
    listen: p.listen.address === undefined ? { port: p.listen.port } : { address: p.listen.address, port: p.listen.port },
    datastore: datastore(p),
    kubernetes: { configFileWins: [...new Set(p.kubernetes.configFileWins)] },
    nodeToNodeMesh: p.nodeToNodeMesh,
    peers,
    advertisePrefixes: p.advertisePrefixes,
    pools: p.pools.map(pool),
    policies: p.policies.map(policy),
    gracefulRestart: p.gracefulRestart,
    shutdown: p.shutdown,
    multipath: p.multipath,
    timers: { holdTime: p.timers.holdTime, keepaliveTime: keepalive(p), connectRetryTime: p.timers.connectRetryTime },
    log: p.log,
    health: p.health,
    ipam: p.ipam,
    kernelRoutes: p.kernelRoutes,
    control: p.control,
  };
  if (nodeAddress !== undefined) config.nodeAddress = nodeAddress;
  if (p.nodeAddress?.subnet !== undefined) config.nodeSubnet = p.nodeAddress.subnet;
  if (nodeAddressV6) config.nodeAddressV6 = nodeAddressV6;
  if (p.nodeAddressV6?.subnet !== undefined) config.nodeSubnetV6 = p.nodeAddressV6.subnet;
  if (p.routeReflector) config.routeReflector = p.routeReflector;
  return { config };
}

const keepalive = (p: ParsedConfig): number => p.timers.keepaliveTime ?? Math.floor(p.timers.holdTime / 3);

function datastore(p: ParsedConfig): DatastoreConfig {
  const d = p.datastore;
  if (d.type === 'etcd') {
    const out: DatastoreConfig = { type: 'etcd', endpoints: d.endpoints ?? [], prefix: d.prefix ?? DEFAULT_ETCD_PREFIX };
    if (d.tls) out.tls = d.tls;
    return out;
  }
  if (d.type === 'kubernetes') return d.kubeconfig === undefined ? { type: 'kubernetes' } : { type: 'kubernetes', kubeconfig: d.kubeconfig };
  return { type: 'file', path: d.path ?? DEFAULT_DATASTORE_PATH };
}

function pool(p: ParsedConfig['pools'][number]): PoolConfig {
  const v6 = p.cidr.includes(':');
  return {
    cidr: p.cidr,
    blockSize: p.blockSize ?? (v6 ? 122 : 26),
    encapsulation: p.encapsulation,
    crossSubnet: p.crossSubnet,
    natOutgoing: p.natOutgoing,
    disabled: p.disabled,
    disableBGPExport: p.disableBGPExport,
  };
}

function policy(p: ParsedConfig['policies'][number]): PolicyConfig {
  return {
    name: p.name,
    defaultAction: p.defaultAction,
    rules: p.rules.map((r) => {
      const { prefixes, ...rest } = r.match;
      const match: PolicyConfig['rules'][number]['match'] = { ...rest };
      if (prefixes) {
        match.prefixes = prefixes.map((pm) => {
          const c = parseCidr(pm.cidr)!;
          const max = maxPrefixLength(c.ip.family);
          // FRR semantics: ge alone means "ge..max"; neither means exactly this prefix
          const ge = pm.ge ?? c.prefixLength;
          const le = pm.le ?? (pm.ge !== undefined ? max : c.prefixLength);
          return { cidr: formatCidr(c), ge, le };
        });
      }
      return r.set ? { match, action: r.action, set: r.set } : { match, action: r.action };
    }),
  };
}
