// Test-only: brings `ip -j route` entries and our Route objects to one comparable shape.
import type { Route } from './routes';
import { normalizePrefix } from './ipaddr';

export interface ComparableRoute {
  dst: string;
  type: string;
  table: number;
  scope: string;
  gateway?: string;
  dev?: string;
  onlink?: boolean;
  metric: number;
  nexthops?: { gateway?: string; dev?: string; weight: number; onlink?: boolean }[];
}

interface IpJsonNexthop { gateway?: string; dev?: string; weight?: number; flags?: string[] }
export interface IpJsonRoute extends IpJsonNexthop {
  dst: string;
  type?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  nexthops?: IpJsonNexthop[];
}

const TABLES: Record<string, number> = { main: 254, local: 255, default: 253 };

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined || o[k] === false) delete o[k];
  return o;
}

export function fromIpJson(r: IpJsonRoute, family: 4 | 6): ComparableRoute {
  return strip({
    dst: normalizePrefix(r.dst, family),
    type: r.type ?? 'unicast',
    table: r.table === undefined ? 254 : TABLES[r.table] ?? Number(r.table),
    scope: r.scope ?? 'universe',
    gateway: r.gateway,
    dev: r.dev,
    onlink: r.flags?.includes('onlink'),
    metric: r.metric ?? 0,
    nexthops: r.nexthops?.map((n) => strip({ gateway: n.gateway, dev: n.dev, weight: n.weight ?? 1, onlink: n.flags?.includes('onlink') })),
  });
}

export function fromRoute(r: Route): ComparableRoute {
  return strip({
    dst: normalizePrefix(r.dst, r.family),
    type: r.type ?? 'unicast',
    table: r.table ?? 254,
    scope: r.scope ?? 'universe',
    gateway: r.gateway,
    dev: r.dev,
    onlink: r.onlink,
    metric: r.priority ?? 0,
    nexthops: r.nexthops?.map((n) => strip({ gateway: n.gateway, dev: n.dev, weight: n.weight ?? 1, onlink: n.onlink })),
  });
}

export const byDst = (a: ComparableRoute, b: ComparableRoute): number =>
  a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : a.table - b.table;
