// The structure of bgpd.yaml as a zod schema: which keys exist where, what each value may be, and the
// defaults that do not depend on anything else. Defaults that depend on other keys or on the host
// (nodeName, routerId, blockSize, per-peer timers) are filled in by normalize.ts; checks that compare
// keys with each other live in cross-checks.ts.
import { z } from 'zod';
import * as L from './leaves';
import type { Leaf } from './leaves';

/** Wrap a leaf parser so a failure becomes a zod issue carrying our "expected" text and hint. */
export function leaf<T>(parse: Leaf<T>) {
  return z.unknown().transform((v, ctx): T => {
    const r = parse(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.expected, params: r.hint ? { hint: r.hint } : undefined });
    return z.NEVER;
  });
}

function mapping<S extends z.ZodRawShape>(what: string, shape: S) {
  return z.strictObject(shape, { error: (iss) => (iss.code === 'invalid_type' ? `a mapping of ${what}` : undefined) });
}

function list<T extends z.ZodType>(what: string, item: T) {
  return z.array(item, { error: (iss) => (iss.code === 'invalid_type' ? `a list of ${what}` : undefined) });
}

/** Accept a single value where a list is expected ("importPolicy: tor-in"). */
const oneOrMany = <T extends z.ZodType>(s: T) => z.preprocess((v) => (typeof v === 'string' ? [v] : v), s);

const family = leaf(L.oneOf(['ipv4', 'ipv6'] as const));

const maxPrefix = mapping('maxPrefix settings (limit, action, restartAfter)', {
  limit: leaf(L.integer(1, 4294967295, 'a prefix limit')),
  action: leaf(L.oneOf(['warn', 'restart'] as const)).default('restart'),
  restartAfter: leaf(L.restartAfter).optional(),
});

const gracefulRestartOverride = mapping('graceful restart settings (enabled, restartTime)', {
  enabled: leaf(L.boolean).optional(),
  restartTime: leaf(L.restartTime).optional(),
});

const policyNames = oneOrMany(list('policy names', leaf(L.shortName)));

export const peerSchema = mapping('peer settings', {
  name: leaf(L.shortName).optional(),
  node: leaf(L.nodeName).optional(),
  address: leaf(L.ipAddress()),
  asNumber: leaf(L.asNumber),
  port: leaf(L.port).default(179),
  passive: leaf(L.boolean).default(false),
  localAddress: leaf(L.ipAddress()).optional(),
  holdTime: leaf(L.holdTime).optional(),
  keepaliveTime: leaf(L.keepaliveTime).optional(),
  connectRetryTime: leaf(L.connectRetryTime).optional(),
  password: leaf(L.md5Password).optional(),
  routeReflectorClient: leaf(L.boolean).default(false),
  nextHopSelf: leaf(L.boolean).default(false),
  allowAsIn: leaf(L.integer(0, 10, 'an allowAsIn count')).default(0),
  maxPrefix: maxPrefix.optional(),
  gracefulRestart: gracefulRestartOverride.optional(),
  families: list('address families (ipv4, ipv6)', family).min(1, 'at least one address family').optional(),
  importPolicy: policyNames.optional(),
  exportPolicy: policyNames.optional(),
});

export const poolSchema = mapping('pool settings', {
  cidr: leaf(L.cidr()),
  blockSize: leaf(L.integer(0, 128, 'a block size (prefix length)')).optional(),
  encapsulation: leaf(L.oneOf(['none', 'ipip', 'vxlan'] as const)).default('none'),
  crossSubnet: leaf(L.boolean).default(false),
  natOutgoing: leaf(L.boolean).default(false),
  disabled: leaf(L.boolean).default(false),
  disableBGPExport: leaf(L.boolean).default(false),
});

const prefixMatch = z.preprocess(
  (v) => (typeof v === 'string' ? { cidr: v } : v),
  mapping('prefix match settings (cidr, ge, le)', {
    cidr: leaf(L.cidr()),
    ge: leaf(L.integer(0, 128, 'a prefix length')).optional(),
    le: leaf(L.integer(0, 128, 'a prefix length')).optional(),
  }),
);

const asList = list('AS numbers', leaf(L.asNumber));

const policyMatch = mapping('match conditions', {
  prefixes: list('prefixes', prefixMatch).optional(),
  communities: list('communities', leaf(L.community(false))).optional(),
  largeCommunities: list('large communities', leaf(L.largeCommunity(false))).optional(),
  asPath: mapping('AS path conditions (contains, origin, maxLength)', {
    contains: asList.optional(),
    origin: asList.optional(),
    maxLength: leaf(L.integer(0, 255, 'an AS path length')).optional(),
  }).optional(),
  family: family.optional(),
});

const prepend = z.preprocess(
  (v) => (typeof v === 'number' ? { count: v } : v),
  mapping('prepend settings (count, asNumber)', {
    count: leaf(L.integer(1, 16, 'a prepend count')),
    asNumber: leaf(L.asNumber).optional(),
  }),
);

const u32 = (what: string) => leaf(L.integer(0, 4294967295, what));

const policySet = mapping('route changes', {
  localPref: u32('a local preference').optional(),
  med: u32('a MED').optional(),
  nextHop: leaf(L.nextHop).optional(),
  prepend: prepend.optional(),
  addCommunities: list('communities', leaf(L.community(false))).optional(),
  removeCommunities: list('communities', leaf(L.community(true))).optional(),
  addLargeCommunities: list('large communities', leaf(L.largeCommunity(false))).optional(),
  removeLargeCommunities: list('large communities', leaf(L.largeCommunity(true))).optional(),
});

const policyRule = mapping('rule settings (match, action, set)', {
  match: policyMatch.prefault({}),
  action: leaf(L.oneOf(['accept', 'reject', 'next'] as const)).default('accept'),
  set: policySet.optional(),
});

export const policySchema = mapping('policy settings (name, rules, defaultAction)', {
  name: leaf(L.shortName),
  rules: list('rules', policyRule).default([]),
  defaultAction: leaf(L.oneOf(['builtin', 'accept', 'reject'] as const)).default('builtin'),
});

const datastore = mapping('datastore settings', {
  type: leaf(L.oneOf(['file', 'etcd', 'kubernetes'] as const)).default('file'),
  path: leaf(L.absolutePath('the state directory')).optional(),
  endpoints: list('etcd endpoint URLs', leaf(L.etcdEndpoint)).min(1, 'at least one etcd endpoint').optional(),
  prefix: leaf(L.text('a key prefix such as /tortie')).optional(),
  tls: mapping('etcd TLS files (ca, cert, key)', {
    ca: leaf(L.absolutePath('a PEM file')).optional(),
    cert: leaf(L.absolutePath('a PEM file')).optional(),
    key: leaf(L.absolutePath('a PEM file')).optional(),
  }).optional(),
  kubeconfig: leaf(L.absolutePath('a kubeconfig file')).optional(),
});

/** BGPConfiguration fields the config file can be made to win over (`kubernetes.configFileWins`). */
export const CONFIG_FILE_FIELDS = ['asNumber', 'nodeToNodeMesh', 'listenPort', 'nodeMeshMaxRestartTime', 'logSeverityScreen'] as const;

const kubernetes = mapping('Kubernetes settings (configFileWins)', {
  configFileWins: oneOrMany(list('BGPConfiguration field names', leaf(L.oneOf(CONFIG_FILE_FIELDS)))).default([]),
});

export const rootSchema = mapping('tortie settings', {
  nodeName: leaf(L.nodeName).optional(),
  routerId: leaf(L.routerId).optional(),
  asNumber: leaf(L.asNumber).default(64512),
  nodeAddress: leaf(L.nodeAddress(4, 'nodeAddressV6')).optional(),
  nodeAddressV6: leaf(L.nodeAddress(6, 'nodeAddress')).optional(),
  listen: mapping('listen settings (address, port)', {
    address: leaf(L.ipAddress()).optional(),
    port: leaf(L.port).default(179),
  }).prefault({}),
  datastore: datastore.prefault({}),
  kubernetes: kubernetes.prefault({}),
  nodeToNodeMesh: leaf(L.boolean).default(true),
  peers: list('peers', peerSchema).default([]),
  advertisePrefixes: list('CIDRs', leaf(L.cidr())).default([]),
  pools: list('pools', poolSchema).default([]),
  policies: list('policies', policySchema).default([]),
  routeReflector: mapping('route reflector settings (clusterId)', { clusterId: leaf(L.clusterId) }).optional(),
  gracefulRestart: mapping('graceful restart settings (enabled, restartTime)', {
    enabled: leaf(L.boolean).default(true),
    restartTime: leaf(L.restartTime).default(120),
  }).prefault({}),
  shutdown: mapping('shutdown settings (onSigterm)', {
    onSigterm: leaf(L.oneOf(['graceful', 'notify'] as const)).default('graceful'),
  }).prefault({}),
  multipath: mapping('multipath settings (maxPaths)', {
    maxPaths: leaf(L.integer(1, 256, 'a path count')).default(8),
  }).prefault({}),
  timers: mapping('timer settings (holdTime, keepaliveTime, connectRetryTime)', {
    holdTime: leaf(L.holdTime).default(90),
    keepaliveTime: leaf(L.keepaliveTime).optional(),
    connectRetryTime: leaf(L.connectRetryTime).default(5),
  }).prefault({}),
  log: mapping('log settings (level)', {
    level: leaf(L.oneOf(['error', 'warn', 'info', 'debug', 'trace'] as const)).default('info'),
  }).prefault({}),
  health: mapping('health endpoint settings (enabled, address, port)', {
    enabled: leaf(L.boolean).default(true),
    address: leaf(L.ipAddress()).default('127.0.0.1'),
    port: leaf(L.port).default(9099),
  }).prefault({}),
  ipam: mapping('IPAM settings', {
    strictAffinity: leaf(L.boolean).default(false),
    maxBlocksPerHost: leaf(L.integer(0, 1_000_000, 'a block count (0 = unlimited)')).default(0),
    autoAllocateBlocks: leaf(L.boolean).default(true),
  }).prefault({}),
  kernelRoutes: mapping('kernel route settings (enabled)', {
    enabled: leaf(L.boolean).default(true),
  }).prefault({}),
  control: mapping('control socket settings (socket)', {
    socket: leaf(L.socketPath).default('/run/tortie/bgpd.sock'),
  }).prefault({}),
});

export type ParsedConfig = z.output<typeof rootSchema>;
