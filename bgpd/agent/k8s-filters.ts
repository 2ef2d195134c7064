// BGPFilter objects (Calico's shape, calico.md §4.10) → tortie's RIB policies (bgpd/rib/policy.ts).
// Each of the four lists (importV4, exportV4, importV6, exportV6) becomes one Policy whose rules are
// tried in order; a route no rule matches passes on (defaultAction builtin) to the peer's next filter
// and finally to tortie's built-in behaviour — Calico's order: filters first, then the default
// import accept / export rules.
//
// Subset: rule fields `cidr`, `matchOperator` (Equal, NotEqual, In, NotIn), `prefixLength {min,max}`
// (In/NotIn only), `source: RemotePeers` and `action` (Accept, Reject). A rule using any other Calico
// field (interface, peerType, communities, asPathPrefix, priority, operations) makes the whole filter
// invalid — ignoring a condition would widen what the rule accepts or rejects. The RIB has no
// "not" in a match, so NotEqual / NotIn are expanded into the prefix list of the complement (at most
// bits+3 entries).
import { Cidr } from '../../ipam/cidr';
import type { Policy, PolicyMatch, PolicyRule, PrefixListEntry } from '../rib/policy';
import { Afi } from '../wire/types';
import type { CrdObject } from './k8s-peers';

export const FILTER_LISTS = ['importV4', 'exportV4', 'importV6', 'exportV6'] as const;
export type FilterList = (typeof FILTER_LISTS)[number];

export interface ClusterFilter {
  readonly name: string;
  /** Only the lists that have rules. */
  readonly policies: Partial<Record<FilterList, Policy>>;
}

export interface ParsedFilter {
  /** Absent when the object has problems: a peer using it is not configured. */
  filter?: ClusterFilter;
  problems: string[];
}

const OPERATORS = ['Equal', 'NotEqual', 'In', 'NotIn'] as const;
type Operator = (typeof OPERATORS)[number];
const SUPPORTED = new Set(['cidr', 'matchOperator', 'prefixLength', 'source', 'action']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Every prefix of the family that is NOT inside `c` with a length in ge..le. */
export function complement(c: Cidr, ge: number, le: number): PrefixListEntry[] {
  const bits = c.bits;
  const zero = c.family === 4 ? '0.0.0.0/0' : '::/0';
  const out: PrefixListEntry[] = [];
  // shorter than c: never inside it
  if (c.prefix > 0) out.push({ prefix: zero, ge: 0, le: c.prefix - 1 });
  // at least as long but outside: inside one of the siblings met on the way down from /0 to c
  const net = c.network;
  for (let i = 0; i < c.prefix; i++) {
    const sib = net.family === 4
      ? Cidr.fromIp({ family: 4, v4: (net.v4 ^ (1 << (31 - i))) >>> 0 }, i + 1)
      : Cidr.fromIp({ family: 6, v6: net.v6 ^ (1n << BigInt(127 - i)) }, i + 1);
    out.push({ prefix: sib.toString(), ge: i + 1, le: bits });
  }
  // inside but of the wrong length
  if (ge > c.prefix) out.push({ prefix: c.toString(), ge: c.prefix, le: ge - 1 });
  if (le < bits) out.push({ prefix: c.toString(), ge: le + 1, le: bits });
  return out;
}

function ruleOf(raw: unknown, at: string, family: 4 | 6, ruleName: string, problems: string[]): PolicyRule | undefined {
  if (!isObj(raw)) {
    problems.push(`${at}: expected a rule object, found ${show(raw)}`);
    return undefined;
  }
  const before = problems.length;
  for (const k of Object.keys(raw)) if (!SUPPORTED.has(k)) problems.push(`${at}.${k}: not supported by tortie (supported: ${[...SUPPORTED].join(', ')})`);
  const action = raw.action;
  if (action !== 'Accept' && action !== 'Reject') problems.push(`${at}.action: expected Accept or Reject, found ${show(action)}`);
  const match: PolicyMatch = { family: family === 4 ? Afi.IPv4 : Afi.IPv6 };
  if (raw.source !== undefined) {
    if (raw.source === 'RemotePeers') match.source = ['ebgp', 'ibgp'];
    else problems.push(`${at}.source: expected RemotePeers, found ${show(raw.source)}`);
  }
  const op = raw.matchOperator;
  if (raw.cidr === undefined) {
    if (op !== undefined || raw.prefixLength !== undefined) problems.push(`${at}: matchOperator and prefixLength need a cidr`);
  } else {
    const c = typeof raw.cidr === 'string' ? Cidr.parse(raw.cidr, false) : undefined;
    if (!c || c.family !== family) problems.push(`${at}.cidr: expected an IPv${family} CIDR, found ${show(raw.cidr)}`);
    else if (!Cidr.parse(raw.cidr as string)) problems.push(`${at}.cidr: ${raw.cidr as string} has host bits set (did you mean ${c.toString()}?)`);
    if (!OPERATORS.includes(op as Operator)) problems.push(`${at}.matchOperator: expected one of ${OPERATORS.join(', ')}, found ${show(op)}`);
    let ge = c?.prefix ?? 0;
    let le = c?.bits ?? 0;
    if (op === 'Equal' || op === 'NotEqual') {
      if (raw.prefixLength !== undefined) problems.push(`${at}.prefixLength: only valid with In or NotIn`);
      le = ge;
    } else if (raw.prefixLength !== undefined && c) {
      const pl = isObj(raw.prefixLength) ? raw.prefixLength : {};
      const min = pl.min ?? c.prefix;
      const max = pl.max ?? c.bits;
      if (!Number.isInteger(min) || !Number.isInteger(max) || (min as number) < c.prefix || (max as number) > c.bits || (min as number) > (max as number)) {
        problems.push(`${at}.prefixLength: expected ${c.prefix} ≤ min ≤ max ≤ ${c.bits}, found ${show(raw.prefixLength)}`);
      } else {
        ge = min as number;
        le = max as number;
      }
    }
    if (c && problems.length === before) {
      match.prefixList = op === 'Equal' || op === 'In' ? [{ prefix: c.toString(), ge, le }] : complement(c, ge, le);
    }
  }
  if (problems.length !== before) return undefined;
  return { name: ruleName, match, action: action === 'Accept' ? 'accept' : 'reject' };
}

/** One BGPFilter object → its policies, or the problems that make it unusable. */
export function parseBgpFilter(obj: CrdObject): ParsedFilter {
  const name = obj.metadata?.name ?? '';
  const spec = obj.spec ?? {};
  const problems: string[] = [];
  const policies: Partial<Record<FilterList, Policy>> = {};
  for (const list of FILTER_LISTS) {
    const raw = spec[list];
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) {
      problems.push(`spec.${list}: expected a list of rules, found ${show(raw)}`);
      continue;
    }
    const family = list.endsWith('V4') ? 4 : 6;
    const rules = raw.flatMap((r, i) => ruleOf(r, `spec.${list}[${i}]`, family, `BGPFilter/${name}/${list}[${i}]`, problems) ?? []);
    if (rules.length > 0) policies[list] = { rules, defaultAction: 'builtin' };
  }
  return problems.length > 0 ? { problems } : { filter: { name, policies }, problems };
}

/** What a peer's `filters` turn into: policy names per direction and their definitions. */
export interface PeerPolicies {
  importPolicy: string[];
  exportPolicy: string[];
  policies: Record<string, Policy>;
}

export const filterPolicyName = (filter: string, list: FilterList): string => `BGPFilter/${filter}/${list}`;

/**
 * A BGPPeer's ordered filter names → its import/export chains for the session's family. A name that is
 * missing or invalid is a problem: the peer must then not be configured (a lost Reject would leak routes).
 */
export function peerPolicies(names: readonly string[], filters: ReadonlyMap<string, ParsedFilter>, family: 4 | 6): { policies?: PeerPolicies; problems: string[] } {
  const problems: string[] = [];
  const out: PeerPolicies = { importPolicy: [], exportPolicy: [], policies: {} };
  names.forEach((n, i) => {
    const f = filters.get(n);
    if (!f) problems.push(`spec.filters[${i}]: BGPFilter "${n}" does not exist; peer not configured`);
    else if (!f.filter) problems.push(`spec.filters[${i}]: BGPFilter "${n}" is invalid (${f.problems.length} problem(s) reported on it); peer not configured`);
    else {
      for (const dir of ['import', 'export'] as const) {
        const list: FilterList = `${dir}V${family}`;
        const p = f.filter.policies[list];
        if (!p) continue;
        const name = filterPolicyName(n, list);
        if (!(name in out.policies)) (dir === 'import' ? out.importPolicy : out.exportPolicy).push(name);
        out.policies[name] = p;
      }
    }
  });
  return problems.length > 0 ? { problems } : { policies: out, problems };
}
