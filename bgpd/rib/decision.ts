// The BGP decision process (RFC 4271 §9.1.2.2 with the RFC 4456 §9 tie-breaks), written as the
// RFC's successive elimination over the candidate set rather than a pairwise comparator, because
// the MED step (compare only within the same neighbour AS) is not transitive.

export interface Candidate {
  localPref: number;
  /** Originated by this router: preferred right after LOCAL_PREF (as FRR/Cisco do). */
  local: boolean;
  asPathLen: number;
  origin: number;
  med: number;
  neighborAs: number;
  ebgp: boolean;
  /** ORIGINATOR_ID when present, else the peer's BGP identifier (RFC 4456 §9). */
  routerId: number;
  clusterLen: number;
  /** Sorts like the peer address (prefix-key.ts addressSortKey). */
  peerAddr: string;
}

export interface DecisionOptions {
  maxPaths: number;
  alwaysCompareMed: boolean;
}

export interface Ranking {
  /** Candidate indices, most preferred first; the multipath set is the first `multipath` of them. */
  order: number[];
  multipath: number;
}

function keepMax(c: Candidate[], ids: number[], f: (x: Candidate) => number): number[] {
  let best = -Infinity;
  for (const i of ids) best = Math.max(best, f(c[i]));
  return ids.filter((i) => f(c[i]) === best);
}

function keepMin(c: Candidate[], ids: number[], f: (x: Candidate) => number): number[] {
  let best = Infinity;
  for (const i of ids) best = Math.min(best, f(c[i]));
  return ids.filter((i) => f(c[i]) === best);
}

function keepBestMed(c: Candidate[], ids: number[], always: boolean): number[] {
  return ids.filter((i) => !ids.some((j) => (always || c[j].neighborAs === c[i].neighborAs) && c[j].med < c[i].med));
}

/** Steps a–e of the decision: the survivors are the multipath-equal candidates. */
function eliminateToEbgpStep(c: Candidate[], ids: number[], o: DecisionOptions): number[] {
  let s = keepMax(c, ids, (x) => x.localPref);
  if (s.length > 1) s = keepMax(c, s, (x) => (x.local ? 1 : 0));
  if (s.length > 1) s = keepMin(c, s, (x) => x.asPathLen);
  if (s.length > 1) s = keepMin(c, s, (x) => x.origin);
  if (s.length > 1) s = keepBestMed(c, s, o.alwaysCompareMed);
  if (s.length > 1) s = keepMax(c, s, (x) => (x.ebgp ? 1 : 0));
  return s;
}

/** Final tie-breaks (IGP metric skipped): lowest router/originator id, shortest CLUSTER_LIST, lowest address. */
function tieBreak(c: Candidate[], ids: number[]): number {
  let s = ids;
  if (s.length > 1) s = keepMin(c, s, (x) => x.routerId);
  if (s.length > 1) s = keepMin(c, s, (x) => x.clusterLen);
  let best = s[0];
  for (const i of s) if (c[i].peerAddr < c[best].peerAddr) best = i;
  return best;
}

/** Sorts survivors of the same elimination by the final tie-breaks. */
function orderByTieBreak(c: Candidate[], ids: number[]): number[] {
  const left = ids.slice();
  const out: number[] = [];
  while (left.length > 0) {
    const b = tieBreak(c, left);
    out.push(b);
    left.splice(left.indexOf(b), 1);
  }
  return out;
}

export function rankPaths(c: Candidate[], o: DecisionOptions): Ranking {
  const order: number[] = [];
  let remaining = c.map((_, i) => i);
  let multipath = 0;
  while (remaining.length > 0) {
    const tier = orderByTieBreak(c, eliminateToEbgpStep(c, remaining, o));
    if (order.length === 0) multipath = Math.min(Math.max(1, o.maxPaths), tier.length);
    order.push(...tier);
    remaining = remaining.filter((i) => !tier.includes(i));
  }
  return { order, multipath };
}
