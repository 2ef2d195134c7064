// CNI ADD results: one internal shape (spec 1.1.0) and the conversions to and from every version we
// speak. Older versions differ only by what they may carry: 0.3.x/0.4.0 put `version` on each IP,
// only 1.1.0 has interface `mtu` and route mtu/advmss/priority/table/scope.
import { CniCode, CniError } from './errors';
import { compareVersions } from './versions';

export interface CniInterface {
  name: string;
  mac?: string;
  mtu?: number;
  /** netns path; set only on interfaces inside the container */
  sandbox?: string;
}

export interface CniIp {
  /** with prefix length, e.g. "10.65.0.5/32" */
  address: string;
  gateway?: string;
  /** index into interfaces */
  interface?: number;
}

export interface CniRoute {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIp[];
  routes?: CniRoute[];
  dns?: CniDns;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Reads a result of any supported version (a prevResult, or a delegated IPAM plugin's output). */
export function parseResult(raw: unknown, what = 'result'): CniResult {
  if (!isObj(raw)) throw new CniError(CniCode.DecodeFailure, `${what} is not a JSON object`);
  const bad = (field: string): never => {
    throw new CniError(CniCode.DecodeFailure, `${what}: invalid ${field}`);
  };
  const out: CniResult = { cniVersion: str(raw.cniVersion) ?? '1.1.0' };
  if (raw.interfaces !== undefined) {
    if (!Array.isArray(raw.interfaces)) bad('interfaces');
    out.interfaces = (raw.interfaces as unknown[]).map((i) => {
      if (!isObj(i) || typeof i.name !== 'string') return bad('interfaces[].name');
      const o: CniInterface = { name: i.name };
      if (str(i.mac)) o.mac = str(i.mac);
      if (num(i.mtu)) o.mtu = num(i.mtu);
      if (str(i.sandbox)) o.sandbox = str(i.sandbox);
      return o;
    });
  }
  if (raw.ips !== undefined) {
    if (!Array.isArray(raw.ips)) bad('ips');
    out.ips = (raw.ips as unknown[]).map((i) => {
      if (!isObj(i) || typeof i.address !== 'string' || !i.address.includes('/')) return bad('ips[].address');
      const o: CniIp = { address: i.address };
      if (str(i.gateway)) o.gateway = str(i.gateway);
      if (num(i.interface) !== undefined) o.interface = num(i.interface);
      return o;
    });
  }
  if (raw.routes !== undefined) {
    if (!Array.isArray(raw.routes)) bad('routes');
    out.routes = (raw.routes as unknown[]).map((r) => {
      if (!isObj(r) || typeof r.dst !== 'string') return bad('routes[].dst');
      const o: CniRoute = { dst: r.dst };
      if (str(r.gw)) o.gw = str(r.gw);
      for (const k of ['mtu', 'advmss', 'priority', 'table', 'scope'] as const) if (num(r[k]) !== undefined) o[k] = num(r[k]);
      return o;
    });
  }
  if (isObj(raw.dns)) out.dns = raw.dns as CniDns;
  return out;
}

/** The result as the caller's cniVersion expects it (fields the version does not know are dropped). */
export function formatResult(res: CniResult, cniVersion: string): Record<string, unknown> {
  const v11 = compareVersions(cniVersion, '1.1.0') >= 0;
  const pre1 = compareVersions(cniVersion, '1.0.0') < 0;
  const out: Record<string, unknown> = { cniVersion };
  if (res.interfaces) {
    out.interfaces = res.interfaces.map((i) => {
      const o: Record<string, unknown> = { name: i.name };
      if (i.mac) o.mac = i.mac;
      if (v11 && i.mtu) o.mtu = i.mtu;
      if (i.sandbox) o.sandbox = i.sandbox;
      return o;
    });
  }
  out.ips = (res.ips ?? []).map((ip) => {
    const o: Record<string, unknown> = {};
    if (pre1) o.version = ip.address.includes(':') ? '6' : '4';
    o.address = ip.address;
    if (ip.gateway) o.gateway = ip.gateway;
    if (ip.interface !== undefined) o.interface = ip.interface;
    return o;
  });
  if (res.routes) {
    out.routes = res.routes.map((r) => {
      const o: Record<string, unknown> = { dst: r.dst };
      if (r.gw) o.gw = r.gw;
      if (v11) for (const k of ['mtu', 'advmss', 'priority', 'table', 'scope'] as const) if (r[k] !== undefined) o[k] = r[k];
      return o;
    });
  }
  out.dns = res.dns ?? {};
  return out;
}
