// "Did you mean" suggestions for misspelled keys and enum values, plus the Calico field names operators
// carry over from BGPConfiguration/BGPPeer/IPPool and where those settings live here.

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions: "hodlTime"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate, if it is close enough to be a plausible typo (case and - / _ are ignored). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  const w = fold(word);
  const exact = candidates.find((c) => fold(c) === w);
  if (exact) return exact;
  const limit = w.length <= 4 ? 1 : w.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    const dist = editDistance(w, fold(c));
    if (dist < bestD) { best = c; bestD = dist; }
  }
  return best;
}

// Keyed by where the key appears (list indexes dropped: 'peers', 'pools', '' for the top level).
const calicoNames: Record<string, Record<string, string>> = {
  '': {
    nodeToNodeMeshEnabled: 'nodeToNodeMesh',
    listenPort: 'listen.port',
    bindMode: 'listen.address',
    logSeverityScreen: 'log.level',
    serviceClusterIPs: 'advertisePrefixes',
    serviceExternalIPs: 'advertisePrefixes',
    serviceLoadBalancerIPs: 'advertisePrefixes',
    prefixAdvertisements: 'advertisePrefixes',
    nodeMeshMaxRestartTime: 'gracefulRestart.restartTime',
    routeReflectorClusterID: 'routeReflector.clusterId',
    ipv4Address: 'nodeAddress',
    ipv6Address: 'nodeAddressV6',
    ipPools: 'pools',
    bgpPeers: 'peers',
    asn: 'asNumber',
    as: 'asNumber',
    localAs: 'asNumber',
    filters: 'policies',
    bgpFilters: 'policies',
  },
  peers: {
    peerIP: 'address',
    neighbor: 'address',
    ip: 'address',
    asn: 'asNumber',
    as: 'asNumber',
    remoteAs: 'asNumber',
    peerAs: 'asNumber',
    sourceAddress: 'localAddress',
    keepOriginalNextHop: 'nextHopSelf',
    nextHopMode: 'nextHopSelf',
    maxRestartTime: 'gracefulRestart.restartTime',
    numAllowedLocalASNumbers: 'allowAsIn',
    filters: 'importPolicy / exportPolicy',
    rrClient: 'routeReflectorClient',
    md5: 'password',
    hold: 'holdTime',
    keepalive: 'keepaliveTime',
  },
  pools: {
    ipipMode: 'encapsulation (and crossSubnet)',
    vxlanMode: 'encapsulation (and crossSubnet)',
    encap: 'encapsulation',
    nat: 'natOutgoing',
    block: 'blockSize',
  },
};

export function calicoEquivalent(where: string, key: string): string | undefined {
  return calicoNames[where]?.[key];
}
