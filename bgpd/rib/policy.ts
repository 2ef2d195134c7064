// Import/export policy as plain typed data (the config loader maps YAML onto these types) and its
// evaluation. Rules are tried in order; the first whose match holds applies its actions and decides.
import { Afi } from '../wire/types';
import type { LargeCommunity, PathAttributes, PrefixKey } from '../wire/types';
import { asPathLength, asPathString, countAs, originAs, prependAs } from './as-path';
import { addressBytes } from './prefix-key';

export interface PrefixListEntry {
  /** "10.0.0.0/8" or "fd00::/8"; entries of the other family never match. */
  prefix: string;
  /** Match prefixes whose length is within ge..le (both default to the entry's length, i.e. exact). */
  ge?: number;
  le?: number;
}

/** Where the route came from, relative to this router. */
export type RouteSource = 'local' | 'ebgp' | 'ibgp';

/** All given conditions must hold (an empty match matches everything). */
export interface PolicyMatch {
  /** Any entry matches. */
  prefixList?: PrefixListEntry[];
  /** Any of these RFC 1997 communities (unsigned 32-bit, AS in the high half) is present. */
  community?: number[];
  /** Any of these large communities is present. */
  largeCommunity?: LargeCommunity[];
  /** The AS path contains this AS (any of these ASes) anywhere. */
  asPathContains?: number | number[];
  /** The last AS of the path (the originator) is this AS (one of these). */
  asPathOriginatesFrom?: number | number[];
  /** The AS path is at most this long (an AS_SET counts 1). */
  asPathMaxLength?: number;
  /**
   * Regex-lite over the path string ("65001 65002 {65003,65004}"): digits, space, . * + ? | ( ) [ ] ^ $
   * and `_`, which matches a boundary between ASNs (start, end, space, brace or comma).
   */
  asPathRegex?: string;
  source?: RouteSource[];
  /** Only routes of this family (policies are compiled per family). */
  family?: Afi;
}

export interface PolicyActions {
  setLocalPref?: number;
  setMed?: number;
  /** An address, or 'self' (our session address; only meaningful on export). */
  setNextHop?: string;
  /** Prepend `count` times; `asn` defaults to the local AS of the session. */
  prepend?: { count: number; asn?: number };
  addCommunities?: number[];
  removeCommunities?: number[];
  /** Remove communities whose AS half and/or value half match; an absent half matches anything ("65000:*"). */
  removeCommunitiesMatching?: { asn?: number; value?: number }[];
  addLargeCommunities?: LargeCommunity[];
  removeLargeCommunities?: LargeCommunity[];
}

export interface PolicyRule {
  name?: string;
  match: PolicyMatch;
  actions?: PolicyActions;
  /** accept/reject decide; next applies the actions and goes on with the following rules. */
  action: 'accept' | 'reject' | 'next';
}

export interface Policy {
  rules: PolicyRule[];
  /**
   * For routes no rule decided. builtin: on to the next policy of the peer's list, and after the
   * last one the RIB's built-in behaviour (import: accept; export to eBGP: only local routes unless
   * allowTransit; otherwise accept).
   */
  defaultAction: 'accept' | 'reject' | 'builtin';
}

/** A peer's import or export policy: one policy or a list evaluated in order. */
export type PolicyChain = Policy | readonly Policy[];

export interface PolicyInput {
  prefix: PrefixKey;
  attrs: PathAttributes;
  source: RouteSource;
  /** Local AS of the session (for prepend without an explicit AS). */
  localAs: number;
}

export interface PolicyResult {
  /** builtin: no policy decided; the caller applies its built-in behaviour. */
  verdict: 'accept' | 'reject' | 'builtin';
  attrs: PathAttributes;
  /** Which attributes a rule set explicitly (export transformations must not override them). */
  setNextHop: boolean;
  setMed: boolean;
}

interface CompiledPrefix {
  bytes: number[];
  len: number;
  ge: number;
  le: number;
}

interface CompiledRule {
  rule: PolicyRule;
  prefixes?: CompiledPrefix[];
  regex?: RegExp;
}

export interface CompiledPolicy {
  /** Rules look at the prefix: results cannot be cached per attribute set. */
  readonly prefixDependent: boolean;
  evaluate(input: PolicyInput): PolicyResult;
}

const REGEX_LITE = /^[0-9 .*+?|()[\]^$_-]*$/;

export function compileAsPathRegex(src: string): RegExp {
  if (!REGEX_LITE.test(src)) throw new Error(`as-path regex: unsupported characters in ${JSON.stringify(src)}`);
  return new RegExp(src.replace(/_/g, '(?:^|$|[ {},])'));
}

function compilePrefix(afi: Afi, e: PrefixListEntry): CompiledPrefix | null {
  const slash = e.prefix.indexOf('/');
  if (slash < 0) throw new Error(`prefix list: missing length in ${e.prefix}`);
  const addr = e.prefix.slice(0, slash);
  const isV6 = addr.includes(':');
  if (isV6 !== (afi === Afi.IPv6)) return null;
  const bytes = addressBytes(afi, addr);
  const len = Number(e.prefix.slice(slash + 1));
  const max = afi === Afi.IPv4 ? 32 : 128;
  if (!bytes || !Number.isInteger(len) || len < 0 || len > max) throw new Error(`prefix list: bad prefix ${e.prefix}`);
  const ge = e.ge ?? len;
  const le = e.le ?? (e.ge !== undefined ? max : len);
  if (ge < len || le < ge || le > max) throw new Error(`prefix list: bad ge/le on ${e.prefix}`);
  return { bytes, len, ge, le };
}

function prefixMatches(p: CompiledPrefix, key: PrefixKey): boolean {
  const len = key.charCodeAt(0);
  if (len < p.ge || len > p.le) return false;
  const full = p.len >> 3;
  for (let i = 0; i < full; i++) if (key.charCodeAt(1 + i) !== p.bytes[i]) return false;
  const rest = p.len & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((key.charCodeAt(1 + full) || 0) & mask) === (p.bytes[full] & mask);
}

const list = (x: number | number[]): number[] => (Array.isArray(x) ? x : [x]);

const sameLarge = (a: LargeCommunity, b: LargeCommunity): boolean =>
  a.global === b.global && a.local1 === b.local1 && a.local2 === b.local2;

function matches(r: CompiledRule, inp: PolicyInput): boolean {
  const m = r.rule.match;
  const a = inp.attrs;
  if (r.prefixes && !r.prefixes.some((p) => prefixMatches(p, inp.prefix))) return false;
  if (m.community && !m.community.some((c) => (a.communities ?? []).includes(c >>> 0))) return false;
  if (m.largeCommunity && !m.largeCommunity.some((l) => (a.largeCommunities ?? []).some((x) => sameLarge(x, l)))) return false;
  if (m.asPathContains !== undefined && !list(m.asPathContains).some((x) => countAs(a.asPath, x) > 0)) return false;
  if (m.asPathOriginatesFrom !== undefined && !list(m.asPathOriginatesFrom).includes(originAs(a.asPath))) return false;
  if (m.asPathMaxLength !== undefined && asPathLength(a.asPath) > m.asPathMaxLength) return false;
  if (r.regex && !r.regex.test(asPathString(a.asPath))) return false;
  if (m.source && !m.source.includes(inp.source)) return false;
  return true;
}

interface Applied {
  attrs: PathAttributes;
  setNextHop: boolean;
  setMed: boolean;
}

function apply(act: PolicyActions, inp: PolicyInput, prev: Applied): Applied {
  const a: PathAttributes = { ...prev.attrs };
  if (act.setLocalPref !== undefined) a.localPref = act.setLocalPref;
  if (act.setMed !== undefined) a.med = act.setMed;
  if (act.setNextHop !== undefined) a.nextHop = act.setNextHop;
  if (act.prepend && act.prepend.count > 0) a.asPath = prependAs(a.asPath, act.prepend.asn ?? inp.localAs, act.prepend.count);
  if (act.removeCommunities || act.removeCommunitiesMatching || act.addCommunities) {
    const drop = new Set((act.removeCommunities ?? []).map((c) => c >>> 0));
    const pats = act.removeCommunitiesMatching ?? [];
    const hit = (c: number): boolean => drop.has(c) || pats.some((p) =>
      (p.asn === undefined || p.asn === c >>> 16) && (p.value === undefined || p.value === (c & 0xffff)));
    a.communities = [...(a.communities ?? []).filter((c) => !hit(c)), ...(act.addCommunities ?? []).map((c) => c >>> 0)];
  }
  if (act.removeLargeCommunities || act.addLargeCommunities) {
    const drop = act.removeLargeCommunities ?? [];
    a.largeCommunities = [
      ...(a.largeCommunities ?? []).filter((l) => !drop.some((d) => sameLarge(d, l))),
      ...(act.addLargeCommunities ?? []),
    ];
  }
  return {
    attrs: a,
    setNextHop: prev.setNextHop || act.setNextHop !== undefined,
    setMed: prev.setMed || act.setMed !== undefined,
  };
}

function compileRules(policy: Policy, afi: Afi): CompiledRule[] {
  return policy.rules
    .filter((rule) => rule.match.family === undefined || rule.match.family === afi)
    .map((rule) => {
      const c: CompiledRule = { rule };
      if (rule.match.prefixList) {
        c.prefixes = rule.match.prefixList.map((e) => compilePrefix(afi, e)).filter((x): x is CompiledPrefix => x !== null);
      }
      if (rule.match.asPathRegex !== undefined) c.regex = compileAsPathRegex(rule.match.asPathRegex);
      return c;
    });
}

/** Compiles one policy or a chain (evaluated in order; `builtin` defaults pass to the next). */
export function compilePolicy(chain: PolicyChain, afi: Afi): CompiledPolicy {
  const policies = (Array.isArray(chain) ? chain : [chain]) as readonly Policy[];
  const compiled = policies.map((p) => ({ rules: compileRules(p, afi), defaultAction: p.defaultAction }));
  return {
    prefixDependent: compiled.some((p) => p.rules.some((r) => r.prefixes !== undefined)),
    evaluate(inp: PolicyInput): PolicyResult {
      let cur: Applied = { attrs: inp.attrs, setNextHop: false, setMed: false };
      for (const p of compiled) {
        for (const r of p.rules) {
          if (!matches(r, { ...inp, attrs: cur.attrs })) continue;
          if (r.rule.action === 'reject') return { verdict: 'reject', attrs: inp.attrs, setNextHop: false, setMed: false };
          if (r.rule.actions) cur = apply(r.rule.actions, inp, cur);
          if (r.rule.action === 'accept') return { verdict: 'accept', ...cur };
        }
        if (p.defaultAction === 'reject') return { verdict: 'reject', attrs: inp.attrs, setNextHop: false, setMed: false };
        if (p.defaultAction === 'accept') return { verdict: 'accept', ...cur };
      }
      return { verdict: 'builtin', ...cur };
    },
  };
}

/** The policies of a chain, in order (empty when there is none). */
export function policyIdentity(chain: PolicyChain | undefined): readonly Policy[] {
  if (!chain) return [];
  return (Array.isArray(chain) ? chain : [chain]) as readonly Policy[];
}

/** Accept everything unchanged (the default import policy, and export toward iBGP). */
export const ACCEPT_ALL: Policy = Object.freeze({ rules: [], defaultAction: 'accept' }) as Policy;

/** "65000:1:2" -> { global: 65000, local1: 1, local2: 2 }. */
export function parseLargeCommunity(text: string): LargeCommunity {
  const m = /^(\d+):(\d+):(\d+)$/.exec(text);
  const n = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || n.some((x) => x > 0xffffffff)) throw new Error(`bad large community: ${text}`);
  return { global: n[0], local1: n[1], local2: n[2] };
}

/** "65000:100" -> 0xfde80064; also NO_EXPORT etc. by name. */
export function parseCommunity(text: string): number {
  const named: Record<string, number> = {
    no_export: 0xffffff01, no_advertise: 0xffffff02, no_export_subconfed: 0xffffff03, graceful_shutdown: 0xffff0000,
  };
  const n = named[text.toLowerCase().replace(/-/g, '_')];
  if (n !== undefined) return n;
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m || Number(m[1]) > 0xffff || Number(m[2]) > 0xffff) throw new Error(`bad community: ${text}`);
  return ((Number(m[1]) << 16) >>> 0) + Number(m[2]);
}
