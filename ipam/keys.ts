// Datastore key layout (Calico's etcd v3 layout under /tortie; CIDR '/' becomes '-').
import type { IpFamily } from './cidr';

export const ROOT = '/tortie';
export const POOL_PREFIX = `${ROOT}/ipam/v2/pool/`;
export const HANDLE_PREFIX = `${ROOT}/ipam/v2/handle/`;
export const CONFIG_KEY = `${ROOT}/ipam/v2/config`;
export const NODE_PREFIX = `${ROOT}/nodes/`;

export function cidrToKeyPart(cidr: string): string {
  return cidr.replace('/', '-');
}

export function blockPrefix(family: IpFamily): string {
  return `${ROOT}/ipam/v2/assignment/ipv${family}/block/`;
}

export function blockKey(cidr: string, family: IpFamily): string {
  return blockPrefix(family) + cidrToKeyPart(cidr);
}

export function affinityPrefix(node: string, family?: IpFamily): string {
  return family ? `${ROOT}/ipam/v2/host/${node}/ipv${family}/block/` : `${ROOT}/ipam/v2/host/${node}/`;
}

export const ALL_AFFINITIES_PREFIX = `${ROOT}/ipam/v2/host/`;

export function affinityKey(node: string, cidr: string, family: IpFamily): string {
  return affinityPrefix(node, family) + cidrToKeyPart(cidr);
}

export function handleKey(handleId: string): string {
  return HANDLE_PREFIX + handleId;
}

export function poolKey(name: string): string {
  return POOL_PREFIX + name;
}

export function nodeKey(name: string): string {
  return NODE_PREFIX + name;
}
