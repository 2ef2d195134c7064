// Checks that compare keys with each other (duplicate peers, overlapping pools, block sizes against
// their pool, families that do not match, dangling policy names...). They run on the raw document, not
// on the schema's output, so they still report while other keys are broken: each check looks only at
// the values that parse and skips the rest (the schema reports those).
import { describeValue } from './errors';
import type { KeyPath, Problem } from './errors';
import { closest } from './did-you-mean';
import * as L from './leaves';
import type { Leaf } from './leaves';
import { cidrsOverlap, formatIP, maxPrefixLength, parseCidr, parseIP } from './ip';
import type { Cidr } from './ip';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const val = <T>(leaf: Leaf<T>, v: unknown): T | undefined => {
  const r = leaf(v);
  return r.ok ? r.value : undefined;
};

function problem(path: KeyPath, expected: string, found: unknown, hint?: string): Problem {
  return hint ? { path, expected, found: describeValue(found), hint } : { path, expected, found: describeValue(found) };
}

export function crossCheck(raw: unknown): Problem[] {
  if (!isObj(raw)) return [];
  const out: Problem[] = [];
  const localAs = raw.asNumber === undefined ? 64512 : val(L.asNumber, raw.asNumber);
  const timers = isObj(raw.timers) ? raw.timers : {};
  const globalHold = timers.holdTime === undefined ? 90 : val(L.holdTime, timers.holdTime);
  const policyNames = items(raw.policies).map((p) => (isObj(p) ? val(L.shortName, p.name) : undefined));

  checkKeepalive(out, ['timers'], timers, globalHold);
  checkPeers(out, raw, localAs, globalHold, policyNames);
  checkPools(out, raw);
  checkAdvertised(out, raw);
  checkPolicies(out, raw, policyNames);
  checkDatastore(out, raw);
  checkKubernetes(out, raw);
  return out;
}

/** RFC 4271 §4.4: keepalives must come more often than the hold time runs out. */
function checkKeepalive(out: Problem[], base: KeyPath, o: Obj, hold: number | undefined): void {
  const ka = val(L.keepaliveTime, o.keepaliveTime);
  if (ka === undefined || hold === undefined || hold === 0) return;
  if (ka >= hold) {
    out.push(problem([...base, 'keepaliveTime'], `a keepalive time below the hold time (${hold} s)`, o.keepaliveTime, `usually a third of it: ${Math.floor(hold / 3)}`));
  }
}

function checkPeers(out: Problem[], raw: Obj, localAs: number | undefined, globalHold: number | undefined, policyNames: (string | undefined)[]): void {
  const seen = new Map<string, number>();
  const names = new Map<string, number>();
  const own = [raw.nodeAddress, raw.nodeAddressV6].map((v) => (typeof v === 'string' ? parseIP(v.split('/')[0]) : undefined));
  const known = policyNames.filter((n): n is string => n !== undefined);

  items(raw.peers).forEach((p, i) => {
    if (!isObj(p)) return;
    const base: KeyPath = ['peers', i];
    const addr = typeof p.address === 'string' ? parseIP(p.address) : undefined;
    const port = p.port === undefined ? 179 : val(L.port, p.port);

    if (addr && port !== undefined) {
      // two sessions to one address are fine on different ports (several speakers behind one IP)
      // per-node peers (`node`) may reuse an address on another node (each rack's ToR)
      const key = `${typeof p.node === 'string' ? p.node : '*'} ${formatIP(addr)} ${port}`;
      const first = seen.get(key);
      if (first !== undefined) out.push(problem([...base, 'address'], `an address not already used by peers[${first}]`, p.address));
      else seen.set(key, i);
      if (own.some((o) => o && o.family === addr.family && o.value === addr.value)) {
        out.push(problem([...base, 'address'], "another speaker's address, not this node's own", p.address));
      }
    }

    const name = val(L.shortName, p.name);
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) out.push(problem([...base, 'name'], `a name not already used by peers[${first}]`, p.name));
      else names.set(name, i);
    }

    const local = typeof p.localAddress === 'string' ? parseIP(p.localAddress) : undefined;
    if (addr && local && local.family !== addr.family) {
      const fam = addr.family === 4 ? 'IPv4' : 'IPv6';
      out.push(problem([...base, 'localAddress'], `an ${fam} address, like the peer address ${formatIP(addr)}`, p.localAddress));
    }

    const hold = p.holdTime === undefined ? globalHold : val(L.holdTime, p.holdTime);
    checkKeepalive(out, base, p, hold);

    const peerAs = val(L.asNumber, p.asNumber);
    const rrc = val(L.boolean, p.routeReflectorClient);
    if (rrc && peerAs !== undefined && localAs !== undefined && peerAs !== localAs) {
      out.push(problem([...base, 'routeReflectorClient'], `false for an eBGP peer (route reflection is iBGP only: peer AS ${peerAs}, ours ${localAs})`, p.routeReflectorClient));
    }

    if (isObj(p.maxPrefix) && p.maxPrefix.restartAfter !== undefined && p.maxPrefix.action === 'warn') {
      out.push(problem([...base, 'maxPrefix', 'restartAfter'], 'no restartAfter with action warn (the session is never torn down)', p.maxPrefix.restartAfter));
    }

    const fams = items(p.families);
    fams.forEach((f, j) => {
      if (typeof f === 'string' && fams.indexOf(f) < j) out.push(problem([...base, 'families', j], 'each family once', f));
    });

    for (const key of ['importPolicy', 'exportPolicy'] as const) {
      const refs = typeof p[key] === 'string' ? [p[key]] : items(p[key]);
      refs.forEach((r, j) => {
        if (typeof r !== 'string' || val(L.shortName, r) === undefined || known.includes(r)) return;
        const path: KeyPath = typeof p[key] === 'string' ? [...base, key] : [...base, key, j];
        const guess = closest(r, known);
        const hint = guess ? `did you mean "${guess}"?` : known.length ? `defined policies: ${known.join(', ')}` : 'no policies are defined';
        out.push(problem(path, 'the name of a policy defined under policies', r, hint));
      });
    }
  });
}

const blockRange = { 4: [20, 32], 6: [116, 128] } as const;

function checkPools(out: Problem[], raw: Obj): void {
  const cidrs: (Cidr | undefined)[] = [];
  items(raw.pools).forEach((p, i) => {
    if (!isObj(p)) return;
    const base: KeyPath = ['pools', i];
    const canon = val(L.cidr(), p.cidr);
    cidrs.push(canon ? parseCidr(canon) : undefined);
    // family and prefix length are still known when host bits are set, so block checks can run
    const c = typeof p.cidr === 'string' ? parseCidr(p.cidr) : undefined;
    if (!c) return;
    const fam = c.ip.family;

    const first = canon === undefined ? -1 : cidrs.findIndex((o, j) => j < i && o && cidrsOverlap(o, c));
    if (first >= 0) out.push(problem([...base, 'cidr'], `a CIDR that does not overlap pools[${first}] (${describePoolCidr(raw, first)})`, p.cidr));

    if (p.blockSize !== undefined && typeof p.blockSize === 'number' && Number.isInteger(p.blockSize)) {
      const [lo, hi] = blockRange[fam];
      if (p.blockSize < lo || p.blockSize > hi) {
        out.push(problem([...base, 'blockSize'], `a block size of ${lo}–${hi} for an IPv${fam} pool`, p.blockSize));
      } else if (p.blockSize < c.prefixLength) {
        out.push(problem([...base, 'blockSize'], `a block size of at least ${c.prefixLength} (blocks must fit inside the /${c.prefixLength} pool)`, p.blockSize));
      }
    } else if (p.blockSize === undefined && c.prefixLength > (fam === 4 ? 26 : 122)) {
      // the default block would not fit: say which key to set rather than failing on an invisible default
      out.push(problem([...base, 'blockSize'], `a block size of ${c.prefixLength}–${maxPrefixLength(fam)} (the default ${fam === 4 ? 26 : 122} is larger than this /${c.prefixLength} pool)`, undefined));
    }

    if (fam === 6 && p.encapsulation === 'ipip') {
      out.push(problem([...base, 'encapsulation'], 'none or vxlan for an IPv6 pool (IPIP carries IPv4 only)', p.encapsulation));
    }
    if (val(L.boolean, p.crossSubnet) && (p.encapsulation === undefined || p.encapsulation === 'none')) {
      out.push(problem([...base, 'crossSubnet'], 'crossSubnet only with encapsulation ipip or vxlan', p.crossSubnet));
    }
  });
}

function describePoolCidr(raw: Obj, i: number): string {
  const p = items(raw.pools)[i];
  return isObj(p) && typeof p.cidr === 'string' ? p.cidr : `pools[${i}]`;
}

function checkAdvertised(out: Problem[], raw: Obj): void {
  const seen = new Map<string, number>();
  items(raw.advertisePrefixes).forEach((v, i) => {
    const c = val(L.cidr(), v);
    if (!c) return;
    const first = seen.get(c);
    if (first !== undefined) out.push(problem(['advertisePrefixes', i], `a prefix not already listed at advertisePrefixes[${first}]`, v));
    else seen.set(c, i);
  });
}

function checkPolicies(out: Problem[], raw: Obj, names: (string | undefined)[]): void {
  names.forEach((n, i) => {
    const first = n === undefined ? -1 : names.indexOf(n);
    if (first >= 0 && first < i) out.push(problem(['policies', i, 'name'], `a name not already used by policies[${first}]`, n));
  });
  items(raw.policies).forEach((pol, i) => {
    if (!isObj(pol)) return;
    items(pol.rules).forEach((rule, r) => {
      if (!isObj(rule)) return;
      const base: KeyPath = ['policies', i, 'rules', r];
      if (rule.action === 'reject' && rule.set !== undefined) {
        out.push(problem([...base, 'set'], 'no set on a reject rule (a rejected route is not changed)', rule.set));
      }
      const match = isObj(rule.match) ? rule.match : {};
      items(match.prefixes).forEach((pm, k) => checkPrefixMatch(out, [...base, 'match', 'prefixes', k], pm, match.family));
    });
  });
}

function checkPrefixMatch(out: Problem[], path: KeyPath, pm: unknown, family: unknown): void {
  const o = typeof pm === 'string' ? { cidr: pm } : pm;
  if (!isObj(o)) return;
  const canon = val(L.cidr(), o.cidr);
  const c = canon ? parseCidr(canon) : undefined;
  if (!c) return;
  const fam = c.ip.family;
  const max = maxPrefixLength(fam);
  if ((family === 'ipv4' && fam === 6) || (family === 'ipv6' && fam === 4)) {
    out.push(problem([...path, 'cidr'], `an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} prefix, as the rule matches family ${family}`, o.cidr));
  }
  const ge = typeof o.ge === 'number' && Number.isInteger(o.ge) ? o.ge : undefined;
  const le = typeof o.le === 'number' && Number.isInteger(o.le) ? o.le : undefined;
  if (ge !== undefined && (ge < c.prefixLength || ge > max)) {
    out.push(problem([...path, 'ge'], `a prefix length ${c.prefixLength}–${max} (from the /${c.prefixLength} up to the IPv${fam} maximum)`, o.ge));
  }
  if (le !== undefined && (le < Math.max(c.prefixLength, ge ?? 0) || le > max)) {
    out.push(problem([...path, 'le'], `a prefix length ${Math.max(c.prefixLength, ge ?? 0)}–${max} (at least ${ge !== undefined ? 'ge' : 'the prefix length'}, at most the IPv${fam} maximum)`, o.le));
  }
}

const datastoreKeys: Record<string, string[]> = {
  file: ['type', 'path'],
  etcd: ['type', 'endpoints', 'prefix', 'tls'],
  kubernetes: ['type', 'kubeconfig'],
};

function checkDatastore(out: Problem[], raw: Obj): void {
  const ds = raw.datastore;
  if (!isObj(ds)) return;
  const type = ds.type === undefined ? 'file' : ds.type;
  if (typeof type !== 'string' || !(type in datastoreKeys)) return;
  for (const key of Object.keys(ds)) {
    const all = Object.values(datastoreKeys).flat();
    if (all.includes(key) && !datastoreKeys[type].includes(key)) {
      out.push({ path: ['datastore', key], expected: `only ${datastoreKeys[type].join(', ')} for a ${type} datastore`, found: `key ${JSON.stringify(key)}`, at: 'key' });
    }
  }
  if (type === 'etcd' && ds.endpoints === undefined) {
    out.push(problem(['datastore', 'endpoints'], 'a list of etcd endpoint URLs for an etcd datastore', undefined));
  }
}


/** `kubernetes:` only means something next to the Kubernetes datastore; a field listed twice is a typo. */
function checkKubernetes(out: Problem[], raw: Obj): void {
  const k = raw.kubernetes;
  if (!isObj(k)) return;
  const type = isObj(raw.datastore) && raw.datastore.type !== undefined ? raw.datastore.type : 'file';
  if (type !== 'kubernetes') {
    out.push({ path: ['kubernetes'], expected: 'kubernetes settings only with datastore.type kubernetes', found: `a ${String(type)} datastore`, at: 'key' });
  }
  const seen = new Set<unknown>();
  items(k.configFileWins).forEach((f, i) => {
    if (seen.has(f)) out.push(problem(['kubernetes', 'configFileWins', i], 'each field once', f));
    seen.add(f);
  });
}
