// The network configuration on stdin: validated by hand (no zod: every millisecond of module loading
// is paid on each pod start). The raw object is kept so delegated plugins get exactly what we got.
import { CniCode, CniError } from './errors';
import { parseResult, type CniResult } from './result';
import { requireSupported } from './versions';

export interface IpamConf {
  type: string;
  /** Calico semantics: v4 unless exactly "false"; v6 only if exactly "true" */
  assign_ipv4?: string;
  assign_ipv6?: string;
  ipv4_pools?: string[];
  ipv6_pools?: string[];
}

export type Encapsulation = 'ipip' | 'vxlan' | 'none';

export interface Attachment {
  containerID: string;
  ifname: string;
}

export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  ipam?: IpamConf;
  /** veth MTU; 0/absent = underlay MTU minus the encapsulation overhead */
  mtu?: number;
  /** underlay MTU to derive from (default: smallest MTU of the host's up physical-looking links) */
  underlay_mtu?: number;
  /** overrides the pool's encapsulation when deriving the MTU */
  encapsulation?: Encapsulation;
  nodename?: string;
  nodename_file?: string;
  /** 'file:/dir' (default file:/var/lib/tortie/ipam) or 'etcd:http://host:port[,…]' */
  datastore?: string;
  /** result cache for repeated ADDs (default /var/lib/tortie/cni) */
  data_dir?: string;
  log_file_path?: string;
  /** host veth name prefix (default cali) */
  interface_prefix?: string;
  container_settings?: { allow_ip_forwarding?: boolean };
  prevResult?: CniResult;
  /** GC: attachments the runtime still uses */
  validAttachments?: Attachment[];
  /** the object as received */
  raw: Record<string, unknown>;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function invalid(msg: string, details?: string): never {
  throw new CniError(CniCode.InvalidNetconf, msg, details);
}

export function decodeJson(text: string, what = 'network configuration'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CniError(CniCode.DecodeFailure, `failed to decode the ${what}`, (e as Error).message);
  }
}

/** Only the version, for VERSION (which must work with any stdin, even none). */
export function peekVersion(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  try {
    const v = (JSON.parse(text) as { cniVersion?: unknown }).cniVersion;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

const optString = (o: Record<string, unknown>, k: string): string | undefined => {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') invalid(`${k} must be a string`);
  return v;
};

const optStringList = (o: Record<string, unknown>, k: string, where: string): string[] | undefined => {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) invalid(`${where}${k} must be a list of strings`);
  return v as string[];
};

export function parseNetconf(text: string): NetConf {
  const raw = decodeJson(text);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid('network configuration is not a JSON object');
  const o = raw as Record<string, unknown>;
  const cniVersion = o.cniVersion;
  if (typeof cniVersion !== 'string' || cniVersion === '') invalid('cniVersion is missing');
  requireSupported(cniVersion);
  const name = o.name;
  if (name === undefined || name === null || name === '') invalid('name is missing', 'the network name is required (it keys the IPAM handles and the result cache)');
  if (typeof name !== 'string' || !NAME.test(name)) invalid(`invalid network name ${JSON.stringify(name)}`, 'alphanumeric first, then alphanumerics, _ . -');
  const type = o.type;
  if (typeof type !== 'string' || type === '') invalid('type is missing');
  const conf: NetConf = { cniVersion, name, type, raw: o };

  if (o.ipam !== undefined && o.ipam !== null) {
    if (typeof o.ipam !== 'object' || Array.isArray(o.ipam)) invalid('ipam must be an object');
    const ip = o.ipam as Record<string, unknown>;
    if (typeof ip.type !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(ip.type)) invalid(`invalid ipam.type ${JSON.stringify(ip.type)}`);
    conf.ipam = { type: ip.type };
    const a4 = optString(ip, 'assign_ipv4');
    const a6 = optString(ip, 'assign_ipv6');
    if (a4 !== undefined) conf.ipam.assign_ipv4 = a4;
    if (a6 !== undefined) conf.ipam.assign_ipv6 = a6;
    const p4 = optStringList(ip, 'ipv4_pools', 'ipam.');
    const p6 = optStringList(ip, 'ipv6_pools', 'ipam.');
    if (p4) conf.ipam.ipv4_pools = p4;
    if (p6) conf.ipam.ipv6_pools = p6;
  }
  for (const k of ['mtu', 'underlay_mtu'] as const) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || (v > 0 && (v < 68 || v > 65535))) invalid(`${k} must be 0 or an integer 68–65535, not ${JSON.stringify(v)}`);
    if (v > 0) conf[k] = v;
  }
  const enc = optString(o, 'encapsulation');
  if (enc !== undefined) {
    if (enc !== 'ipip' && enc !== 'vxlan' && enc !== 'none') invalid(`encapsulation must be ipip, vxlan or none, not ${JSON.stringify(enc)}`);
    conf.encapsulation = enc;
  }
  for (const k of ['nodename', 'nodename_file', 'datastore', 'data_dir', 'log_file_path'] as const) {
    const v = optString(o, k);
    if (v !== undefined && v !== '') conf[k] = v;
  }
  const prefix = optString(o, 'interface_prefix');
  if (prefix !== undefined) {
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,3}$/.test(prefix)) invalid(`interface_prefix must be 1–4 letters/digits starting with a letter (it is followed by 11 hex digits), not ${JSON.stringify(prefix)}`);
    conf.interface_prefix = prefix;
  }
  if (o.container_settings !== undefined && o.container_settings !== null) {
    const cs = o.container_settings as Record<string, unknown>;
    if (typeof cs !== 'object' || (cs.allow_ip_forwarding !== undefined && typeof cs.allow_ip_forwarding !== 'boolean')) invalid('container_settings.allow_ip_forwarding must be a boolean');
    conf.container_settings = { allow_ip_forwarding: cs.allow_ip_forwarding as boolean | undefined };
  }
  if (o.prevResult !== undefined && o.prevResult !== null) conf.prevResult = parseResult(o.prevResult, 'prevResult');
  const va = o['cni.dev/valid-attachments'];
  if (va !== undefined) {
    if (!Array.isArray(va) || va.some((a) => typeof a !== 'object' || a === null || typeof (a as Attachment).containerID !== 'string'))
      invalid('cni.dev/valid-attachments must be a list of {containerID, ifname}');
    conf.validAttachments = va as Attachment[];
  }
  return conf;
}
