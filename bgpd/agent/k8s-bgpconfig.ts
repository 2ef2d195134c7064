// BGPConfiguration objects → the settings one node runs with (Calico's rules, calico.md §4.8): `default`
// holds the cluster-wide settings, `node.<name>` overrides some of them for that node only. Fields a
// node object may not carry (AS, mesh, service IPs, mesh restart time) are reported and ignored there.
// Where the config file and a BGPConfiguration both give a value, the BGPConfiguration wins unless the
// config file's `kubernetes.configFileWins` lists the field. Pure: k8s-source.ts feeds it the informer
// cache and hands the problems to the reporter.
import type { ConfigFileField, LogLevel } from '../../config/types';
import { Cidr } from '../../ipam/cidr';
import type { BgpConfigSpec } from '../../ipam/k8s-nodes';
import type { CrdObject } from './k8s-peers';
import { refOf } from './k8s-problems';
import type { ObjectProblems } from './k8s-problems';

export type LogSeverity = 'Fatal' | 'Error' | 'Warning' | 'Info' | 'Debug';
const SEVERITIES: readonly LogSeverity[] = ['Fatal', 'Error', 'Warning', 'Info', 'Debug'];

/** Communities (literal "aa:nn" or "aa:nn:mm") attached to the advertised prefixes inside `cidr`. */
export interface PrefixAdvertisement {
  cidr: string;
  communities: string[];
}

/** What the config file says, for fields a BGPConfiguration omits (or loses to the file). */
export type FileBgpSettings = BgpConfigSpec;

export interface NodeBgpConfig extends BgpConfigSpec {
  serviceClusterIPs: string[];
  serviceExternalIPs: string[];
  serviceLoadBalancerIPs: string[];
  prefixAdvertisements: PrefixAdvertisement[];
  /** Seconds; graceful-restart time offered on mesh sessions. Absent = the config file's gracefulRestart.restartTime. */
  nodeMeshMaxRestartTime?: number;
  /** Absent = the config file's log.level. */
  logSeverityScreen?: LogSeverity;
  /** `default`'s `{secretKeyRef: {name, key}}` as written (unchecked); k8s-mesh-password.ts looks it up and validates it. */
  nodeMeshPassword?: unknown;
}

export interface ResolvedBgpConfig {
  config: NodeBgpConfig;
  /** The port any node listens on (its node.<name> listenPort, else default's, else the file's): mesh peers dial it. */
  listenPortOf(nodeName: string): number;
  /** One entry per BGPConfiguration object read (empty list = valid). */
  problems: ObjectProblems[];
}

/** Set only in `default` (Calico rejects them in per-node objects). */
const DEFAULT_ONLY = ['asNumber', 'nodeToNodeMesh', 'serviceClusterIPs', 'serviceExternalIPs', 'serviceLoadBalancerIPs', 'nodeMeshMaxRestartTime', 'nodeMeshPassword'] as const;
const NODE_PREFIX = 'node.';

/** Go-style duration ("2m30s", "90s", "1.5h") → seconds; undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  if (!/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

/** "aa:nn" with 16-bit parts or "aa:nn:mm" with 32-bit parts. */
export function isCommunityLiteral(text: string): boolean {
  const parts = text.split(':');
  if (!parts.every((p) => /^[0-9]{1,10}$/.test(p))) return false;
  if (parts.length === 2) return parts.every((p) => Number(p) <= 0xffff);
  return parts.length === 3 && parts.every((p) => Number(p) <= 0xffffffff);
}

const found = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

/** One object's fields, read defensively: the CRD schema is the first line, this the second. */
interface ObjectFields {
  asNumber?: number;
  nodeToNodeMesh?: boolean;
  listenPort?: number;
  serviceClusterIPs?: string[];
  serviceExternalIPs?: string[];
  serviceLoadBalancerIPs?: string[];
  nodeMeshMaxRestartTime?: number;
  logSeverityScreen?: LogSeverity;
  communities?: Map<string, string>;
  prefixAdvertisements?: Array<{ cidr: string; communities: string[] }>;
  nodeMeshPassword?: unknown;
}

function readFields(spec: Record<string, unknown>, problems: string[]): ObjectFields {
  const out: ObjectFields = {};
  const int = (key: 'asNumber' | 'listenPort', min: number, max: number, what: string): void => {
    const v = spec[key];
    if (v === undefined) return;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) out[key] = v;
    else problems.push(`spec.${key}: expected ${what} (${min}–${max}), found ${found(v)}; ignored`);
  };
  int('asNumber', 1, 0xffffffff, 'an AS number');
  int('listenPort', 1, 65535, 'a TCP port');
  if (spec.nodeToNodeMesh !== undefined) {
    if (typeof spec.nodeToNodeMesh === 'boolean') out.nodeToNodeMesh = spec.nodeToNodeMesh;
    else problems.push(`spec.nodeToNodeMesh: expected true or false, found ${found(spec.nodeToNodeMesh)}; ignored`);
  }
  for (const key of ['serviceClusterIPs', 'serviceExternalIPs', 'serviceLoadBalancerIPs'] as const) {
    const v = spec[key];
    if (v === undefined) continue;
    if (!Array.isArray(v)) {
      problems.push(`spec.${key}: expected a list of {cidr}, found ${found(v)}; ignored`);
      continue;
    }
    out[key] = v.flatMap((item: unknown, i) => {
      const cidr = (item as { cidr?: unknown } | null)?.cidr;
      const c = typeof cidr === 'string' ? Cidr.parse(cidr) : undefined;
      if (c) return [c.toString()];
      problems.push(`spec.${key}[${i}].cidr: expected a CIDR without host bits (e.g. 10.96.0.0/12), found ${found(cidr)}; ignored`);
      return [];
    });
  }
  if (spec.nodeMeshMaxRestartTime !== undefined) {
    const v = spec.nodeMeshMaxRestartTime;
    const secs = typeof v === 'string' ? durationSeconds(v) : undefined;
    // the graceful restart capability carries the time in 12 bits
    if (secs !== undefined && secs >= 1 && secs <= 4095) out.nodeMeshMaxRestartTime = Math.round(secs);
    else problems.push(`spec.nodeMeshMaxRestartTime: expected a duration of 1s–4095s (e.g. 120s), found ${found(v)}; ignored`);
  }
  if (spec.logSeverityScreen !== undefined) {
    const v = spec.logSeverityScreen;
    if (SEVERITIES.includes(v as LogSeverity)) out.logSeverityScreen = v as LogSeverity;
    else problems.push(`spec.logSeverityScreen: expected one of ${SEVERITIES.join(', ')}, found ${found(v)}; ignored`);
  }
  // checked where the Secret is looked up (k8s-mesh-password.ts): a bad reference keeps the last good key
  if (spec.nodeMeshPassword !== undefined) out.nodeMeshPassword = spec.nodeMeshPassword;
  if (spec.communities !== undefined) {
    out.communities = new Map();
    const list: unknown[] = Array.isArray(spec.communities) ? spec.communities : [];
    if (!Array.isArray(spec.communities)) problems.push(`spec.communities: expected a list of {name, value}, found ${found(spec.communities)}; ignored`);
    list.forEach((item, i) => {
      const { name, value } = (item ?? {}) as { name?: unknown; value?: unknown };
      if (typeof name !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/.test(name)) {
        problems.push(`spec.communities[${i}].name: expected a name of letters, digits, _ and - starting with a letter, found ${found(name)}; ignored`);
      } else if (typeof value !== 'string' || !isCommunityLiteral(value)) {
        problems.push(`spec.communities[${i}].value: expected a community aa:nn (16-bit parts) or aa:nn:mm (32-bit parts), found ${found(value)}; ignored`);
      } else if (out.communities!.has(name)) {
        problems.push(`spec.communities[${i}].name: "${name}" is defined twice; the first definition is used`);
      } else out.communities!.set(name, value);
    });
  }
  if (spec.prefixAdvertisements !== undefined) {
    const list: unknown[] = Array.isArray(spec.prefixAdvertisements) ? spec.prefixAdvertisements : [];
    if (!Array.isArray(spec.prefixAdvertisements)) problems.push(`spec.prefixAdvertisements: expected a list of {cidr, communities}, found ${found(spec.prefixAdvertisements)}; ignored`);
    out.prefixAdvertisements = list.flatMap((item, i) => {
      const { cidr, communities } = (item ?? {}) as { cidr?: unknown; communities?: unknown };
      const c = typeof cidr === 'string' ? Cidr.parse(cidr) : undefined;
      if (!c) {
        problems.push(`spec.prefixAdvertisements[${i}].cidr: expected a CIDR without host bits, found ${found(cidr)}; ignored`);
        return [];
      }
      const refs = Array.isArray(communities) ? communities.filter((x): x is string => typeof x === 'string') : [];
      if (!Array.isArray(communities) || refs.length !== communities.length) {
        problems.push(`spec.prefixAdvertisements[${i}].communities: expected a list of community names or values, found ${found(communities)}`);
      }
      return [{ cidr: c.toString(), communities: refs }];
    });
  }
  return out;
}

/** Names in `refs` → literal values; an unknown name is a problem and dropped. */
function resolveCommunities(ads: readonly { cidr: string; communities: string[] }[], names: ReadonlyMap<string, string>, problems: string[]): PrefixAdvertisement[] {
  return ads.map((ad, i) => ({
    cidr: ad.cidr,
    communities: ad.communities.flatMap((ref, j) => {
      if (isCommunityLiteral(ref)) return [ref];
      const v = names.get(ref);
      if (v !== undefined) return [v];
      problems.push(`spec.prefixAdvertisements[${i}].communities[${j}]: "${ref}" is neither a community defined in spec.communities nor a value aa:nn / aa:nn:mm; ignored`);
      return [];
    }),
  }));
}

/**
 * The settings of `nodeName`: `default`, then its `node.<nodeName>` object, then the config file for
 * what neither sets and for every field listed in `fileWins`. Also validates every object it is given
 * (other nodes' objects too, so each object's problems are the same whichever node reports them).
 */
export function resolveBgpConfig(objs: readonly CrdObject[], file: FileBgpSettings, nodeName: string, fileWins: readonly ConfigFileField[] = []): ResolvedBgpConfig {
  const problems: ObjectProblems[] = [];
  let def: ObjectFields = {};
  let mine: ObjectFields = {};
  let defProblems: string[] = [];
  const byName = new Map<string, { fields: ObjectFields; problems: string[] }>();
  for (const obj of objs) {
    const name = obj.metadata?.name ?? '';
    const list: string[] = [];
    problems.push({ ref: refOf('BGPConfiguration', obj as never), problems: list });
    if (name !== 'default' && !name.startsWith(NODE_PREFIX)) {
      list.push(`metadata.name: expected "default" or "node.<node name>", found ${found(name)}; the object is ignored`);
      continue;
    }
    const fields = readFields(obj.spec ?? {}, list);
    if (name.startsWith(NODE_PREFIX)) {
      for (const key of DEFAULT_ONLY) {
        if (fields[key] === undefined) continue;
        list.push(`spec.${key}: only valid in the "default" BGPConfiguration, found in "${name}"; ignored`);
        delete fields[key];
      }
    }
    byName.set(name, { fields, problems: list });
  }
  const d = byName.get('default');
  if (d) ({ fields: def, problems: defProblems } = d);
  const n = byName.get(NODE_PREFIX + nodeName);
  if (n) mine = n.fields;

  // problems: each object's references against the names it can see (default's; a node object's also
  // its own), so they are the same whichever node reports them
  const defNames = new Map(def.communities ?? []);
  resolveCommunities(def.prefixAdvertisements ?? [], defNames, defProblems);
  for (const [name, o] of byName) {
    if (name === 'default' || !o.fields.prefixAdvertisements) continue;
    resolveCommunities(o.fields.prefixAdvertisements, new Map([...defNames, ...(o.fields.communities ?? [])]), o.problems);
  }
  // this node: its object's definitions shadow default's, also for default's prefixAdvertisements
  const names = new Map([...defNames, ...(mine.communities ?? [])]);
  const ads = resolveCommunities(mine.prefixAdvertisements ?? def.prefixAdvertisements ?? [], names, []);

  const wins = new Set(fileWins);
  const pick = <K extends 'asNumber' | 'nodeToNodeMesh' | 'listenPort'>(key: K): BgpConfigSpec[K] =>
    ((wins.has(key) ? undefined : (mine[key] ?? def[key])) ?? file[key]) as BgpConfigSpec[K];
  const restart = wins.has('nodeMeshMaxRestartTime') ? undefined : def.nodeMeshMaxRestartTime;
  // absent = the file's log.level (logLevelFor)
  const severity = wins.has('logSeverityScreen') ? undefined : (mine.logSeverityScreen ?? def.logSeverityScreen);
  const config: NodeBgpConfig = {
    asNumber: pick('asNumber'),
    nodeToNodeMesh: pick('nodeToNodeMesh'),
    listenPort: pick('listenPort'),
    serviceClusterIPs: def.serviceClusterIPs ?? [],
    serviceExternalIPs: def.serviceExternalIPs ?? [],
    serviceLoadBalancerIPs: def.serviceLoadBalancerIPs ?? [],
    prefixAdvertisements: ads,
    ...(restart !== undefined ? { nodeMeshMaxRestartTime: restart } : {}),
    ...(severity !== undefined ? { logSeverityScreen: severity } : {}),
    ...(def.nodeMeshPassword !== undefined ? { nodeMeshPassword: def.nodeMeshPassword } : {}),
  };
  const listenPortOf = (name: string): number =>
    (wins.has('listenPort') ? undefined : (byName.get(NODE_PREFIX + name)?.fields.listenPort ?? def.listenPort)) ?? file.listenPort;
  return { config, problems, listenPortOf };
}

/** The daemon's log level: logSeverityScreen when set (Warning → warn, Fatal → error), else the file's. */
export function logLevelFor(cfg: Pick<NodeBgpConfig, 'logSeverityScreen'>, fileLevel: LogLevel): LogLevel {
  const map: Record<LogSeverity, LogLevel> = { Fatal: 'error', Error: 'error', Warning: 'warn', Info: 'info', Debug: 'debug' };
  return cfg.logSeverityScreen ? map[cfg.logSeverityScreen] : fileLevel;
}

/** Calico's rule: the cluster-wide configuration is the object named `default`; fields it omits keep `base`. */
export function bgpConfig(objs: readonly CrdObject[], base: BgpConfigSpec): BgpConfigSpec {
  const { asNumber, nodeToNodeMesh, listenPort } = resolveBgpConfig(objs.filter((o) => o.metadata?.name === 'default'), base, '').config;
  return { asNumber, nodeToNodeMesh, listenPort };
}
