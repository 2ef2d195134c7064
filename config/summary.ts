// The one-line description `bgpd --check` prints for a valid config.
import type { TortieConfig } from './types';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function summarizeConfig(c: TortieConfig): string {
  const parts = [
    `node ${c.nodeName}`,
    `router ID ${c.routerId}`,
    `AS ${c.asNumber}`,
    c.nodeToNodeMesh ? 'node-to-node mesh on' : 'node-to-node mesh off',
    plural(c.peers.length, 'configured peer'),
    plural(c.pools.length, 'pool'),
    plural(c.policies.length, 'policy').replace('policys', 'policies'),
    `${c.datastore.type} datastore`,
  ];
  if (c.routeReflector) parts.push(`route reflector (cluster ${c.routeReflector.clusterId})`);
  return parts.join(', ');
}
