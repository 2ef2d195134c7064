// One BGPPeer object → where it peers (BgpPeerSpec, for meshPeersFrom) and what it sets beyond the mesh
// defaults (PeerOverrides), or the problems that keep it from being configured. Every field the CRD
// carries is applied or refused here: a BGPPeer that says `password` or `filters` and silently ran
// without them would be worse than no session.
import { canonicalAddress, splitPeerIp } from '../../ipam/k8s-nodes';
import { parseSelector, selectorSyntax } from '../../ipam/selector';
import { peerPolicies } from './k8s-filters';
import type { ParsedFilter } from './k8s-filters';
import { bgpPeerSpec } from './k8s-peers';
import type { CrdObject, ExplicitPeer } from './k8s-peers';
import type { PasswordLookup } from './k8s-secrets';
import type { PeerOverrides } from './peer-overrides';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/** Go's time.ParseDuration format ("90s", "1m30s", "0") → milliseconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

/** A duration field → whole seconds within min..max (or 0 when `zero` allows it), else a problem. */
function seconds(field: string, v: unknown, min: number, max: number, problems: string[], zero = false): number | undefined {
  if (v === undefined) return undefined;
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  const range = `${zero ? '0s or ' : ''}${min}s–${max}s`;
  if (ms === undefined || ms % 1000 !== 0 || (ms / 1000 < min && !(zero && ms === 0)) || ms / 1000 > max) {
    problems.push(`spec.${field}: expected a duration of ${range} in whole seconds, found ${JSON.stringify(v)}`);
    return undefined;
  }
  return ms / 1000;
}

const PEER_IP_FORMS = 'an IPv4 or IPv6 address, optionally with a port 1–65535 (192.0.2.1, 192.0.2.1:1179, fd00::1, [fd00::1]:1179)';

/**
 * Why `peerIP` is unusable, or undefined when it is fine. splitPeerIp passes text that is no address
 * through (it then never matches a connection) and reads any digits as a port: a typo there would give
 * a session that silently never comes up, so it is refused here instead.
 */
export function peerIpProblem(peerIP: string): string | undefined {
  const found = `found ${JSON.stringify(peerIP)}`;
  const { address, port } = splitPeerIp(peerIP, 179);
  if (canonicalAddress(address) === undefined) return `spec.peerIP: expected ${PEER_IP_FORMS}, ${found}`;
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535) return `spec.peerIP: expected a port 1–65535 after the address, ${found}`;
  return undefined;
}

export interface PeerSettingsContext {
  /** BGPFilter objects by name, parsed (k8s-filters.ts). */
  filters: ReadonlyMap<string, ParsedFilter>;
  password: PasswordLookup;
  /** The mesh hold time, which keepaliveTime alone is checked against. */
  meshHoldTime: number;
  /** Set while BGPFilters cannot be read: why. A BGPPeer with filters is then not configured. */
  filtersUnavailable?: string;
}

export interface ParsedPeer {
  /** Absent when there are problems: the peer is not configured. */
  peer?: ExplicitPeer;
  problems: string[];
}

export function parseBgpPeer(obj: CrdObject, ctx: PeerSettingsContext): ParsedPeer {
  const s = obj.spec ?? {};
  const problems: string[] = [];
  const spec = bgpPeerSpec(obj);
  if (!spec) problems.push('spec: needs peerIP and asNumber');
  const ipProblem = spec && peerIpProblem(spec.peerIP);
  if (ipProblem) problems.push(ipProblem);
  if (s.node !== undefined && s.nodeSelector !== undefined) problems.push('spec.node and spec.nodeSelector: set one of them, not both');
  if (typeof s.nodeSelector === 'string' && !parseSelector(s.nodeSelector)) {
    problems.push(`spec.nodeSelector: cannot parse ${JSON.stringify(s.nodeSelector)} as a ${selectorSyntax(s.nodeSelector) === 'calico' ? 'Calico selector (all(), has(k), k == "v", joined by &&)' : 'Kubernetes label selector (k=v, k!=v, k in (a,b), k notin (a,b), k, !k)'}`);
  }
  const o: PeerOverrides = {};
  // RFC 4271 §4.2: hold time 0 (no keepalives) or at least 3 s; keepalives must come more often than that
  const hold = seconds('holdTime', s.holdTime, 3, 65535, problems, true);
  const keepalive = seconds('keepaliveTime', s.keepaliveTime, 1, 65535, problems, true);
  if (hold !== undefined) {
    o.holdTime = hold;
    const k = keepalive ?? Math.floor(hold / 3);
    if (hold === 0 ? k !== 0 : k === 0 || k >= hold) problems.push(`spec.keepaliveTime: expected ${hold === 0 ? '0s with holdTime 0s' : `1s to less than holdTime (${hold}s)`}, found ${JSON.stringify(s.keepaliveTime)}`);
    else o.keepaliveTime = k;
  } else if (keepalive !== undefined) {
    if (ctx.meshHoldTime === 0 ? keepalive !== 0 : keepalive === 0 || keepalive >= ctx.meshHoldTime) {
      problems.push(`spec.keepaliveTime: expected less than the hold time (${ctx.meshHoldTime}s; set spec.holdTime to change it), found ${JSON.stringify(s.keepaliveTime)}`);
    } else o.keepaliveTime = keepalive;
  }
  // RFC 4724: the restart time is a 12-bit field
  const restart = seconds('maxRestartTime', s.maxRestartTime, 1, 4095, problems, true);
  if (restart !== undefined) o.restartTime = restart;
  if (s.passive !== undefined && typeof s.passive !== 'boolean') problems.push(`spec.passive: expected true or false, found ${JSON.stringify(s.passive)}`);
  const n = s.numAllowedLocalASNumbers;
  if (n !== undefined) {
    if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > 10) problems.push(`spec.numAllowedLocalASNumbers: expected an integer 0–10, found ${JSON.stringify(n)}`);
    else o.allowAsIn = n as number;
  }
  if (s.password !== undefined) {
    const r = ctx.password(s.password);
    if ('problem' in r) problems.push(r.problem);
    else o.password = r.password;
  }
  if (s.filters !== undefined) {
    if (!Array.isArray(s.filters) || !s.filters.every((f) => typeof f === 'string')) problems.push(`spec.filters: expected a list of BGPFilter names, found ${JSON.stringify(s.filters)}`);
    else if (s.filters.length > 0 && ctx.filtersUnavailable) problems.push(`spec.filters: ${ctx.filtersUnavailable}; peer not configured`);
    else if (s.filters.length > 0) {
      // the session's family is the peer address's: a dual-stack node runs both kinds of session
      const family = spec && splitPeerIp(spec.peerIP, 179).address.includes(':') ? 6 : 4;
      const r = peerPolicies(s.filters as string[], ctx.filters, family);
      problems.push(...r.problems);
      if (r.policies) {
        if (r.policies.importPolicy.length) o.importPolicy = r.policies.importPolicy;
        if (r.policies.exportPolicy.length) o.exportPolicy = r.policies.exportPolicy;
        if (Object.keys(r.policies.policies).length) o.policies = r.policies.policies;
      }
    }
  }
  if (problems.length > 0 || !spec) return { problems };
  return { peer: { ...spec, ...(s.passive === true ? { passive: true } : {}), ...(Object.keys(o).length > 0 ? { overrides: o } : {}) }, problems };
}
