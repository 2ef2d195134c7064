// bgpctl's command line: global options anywhere, then command words. Pure: argv in, a decision out.
import type { ControlCommand } from '../control/protocol';

export const DEFAULT_SOCKET = '/run/tortie/bgpd.sock';

export const USAGE = `usage: bgpctl [--socket PATH | --config FILE] [--json] [-n] COMMAND

Talks to a running bgpd over its control socket.

Commands:
  show peers                    one row per peer: type, AS, state, prefixes
  show neighbor PEER            capabilities, timers, counters, errors, GR
  show routes [PREFIX|ADDRESS] [--family ipv4|ipv6]
                                Loc-RIB, best (>) and multipath (=) marked;
                                with PREFIX: that prefix in detail; with an
                                ADDRESS: the longest prefix covering it
  show rib in|out PEER [--family ipv4|ipv6]
                                what PEER sent us (Adj-RIB-In) / what we send it
  show status                   router ID, AS, uptime, prefix counts
  clear neighbor PEER|all [soft]
                                hard: Cease/Admin Reset, then reconnect (also
                                ends a max-prefix hold-down); soft: ROUTE-
                                REFRESH in, our routes re-sent out
  reload                        re-read the config; only changed peers restart
  ipam ...                      IP address management (bgpctl ipam --help)
  show ipam ...                 the same as "bgpctl ipam show ..."

PEER is a peer name (as in "show peers") or its address.

Options:
  -s, --socket PATH   control socket (default: control.socket of --config,
                      else ${DEFAULT_SOCKET})
  -c, --config FILE   read the control socket path from this bgpd config
  -j, --json          print the response as JSON (stable keys; "show peers" is
                      an array of objects)
  -n                  show peer addresses instead of names
  -h, --help          this help

Exit status: 0 ok, 1 bgpd refused the request or is not running,
2 bad command line.
`;

export type BgpctlCommand =
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string }
  | { kind: 'ipam'; argv: string[] }
  | { kind: 'control'; request: ControlCommand; json: boolean; numeric: boolean; socket?: string; configPath?: string };

const families = new Set(['ipv4', 'ipv6']);

export function parseBgpctlArgs(argv: readonly string[]): BgpctlCommand {
  let json = false;
  let numeric = false;
  let help = false;
  let socket: string | undefined;
  let configPath: string | undefined;
  let family: 'ipv4' | 'ipv6' | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string | undefined => {
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      return argv[++i];
    };
    const name = a.startsWith('--') && a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (name === '-h' || name === '--help') help = true;
    else if (name === '-j' || name === '--json') json = true;
    else if (name === '-n') numeric = true;
    else if (name === '-s' || name === '--socket') {
      socket = value();
      if (!socket) return { kind: 'usage-error', message: `${name} needs a path` };
    } else if (name === '-c' || name === '--config') {
      configPath = value();
      if (!configPath) return { kind: 'usage-error', message: `${name} needs a file name` };
    } else if (name === '--family') {
      const f = value();
      if (!f || !families.has(f)) return { kind: 'usage-error', message: '--family must be ipv4 or ipv6' };
      family = f as 'ipv4' | 'ipv6';
    } else if (a.startsWith('-') && a.length > 1) return { kind: 'usage-error', message: `unknown option ${a}` };
    else {
      words.push(a);
      // `ipam` hands everything after it to the IPAM CLI untouched (it has its own options)
      const ipam = words[0] === 'ipam' ? [] : words[0] === 'show' && words[1] === 'ipam' ? ['show'] : undefined;
      if (ipam) return { kind: 'ipam', argv: [...(json ? ['--json'] : []), ...ipam, ...argv.slice(i + 1)] };
    }
  }
  if (help || words.length === 0) return { kind: 'help' };
  const base = { json, numeric, ...(socket ? { socket } : {}), ...(configPath ? { configPath } : {}) };
  const req = toRequest(words, family);
  if ('error' in req) return { kind: 'usage-error', message: req.error };
  return { kind: 'control', request: req, ...base };
}

function toRequest(w: string[], family: 'ipv4' | 'ipv6' | undefined): ControlCommand | { error: string } {
  const fam = family ? { family } : {};
  const [a, b, c, d] = w;
  const extra = (n: number): { error: string } | undefined => (w.length > n ? { error: `unexpected argument "${w[n]}"` } : undefined);
  if (a === 'show') {
    if (b === undefined || b === 'peers' || b === 'summary') return extra(2) ?? { cmd: 'show peers' };
    if (b === 'neighbor' || b === 'neighbors') {
      if (!c) return { error: 'show neighbor needs a peer name or address' };
      return extra(3) ?? { cmd: 'show neighbor', peer: c };
    }
    if (b === 'routes' || b === 'route') return extra(c ? 3 : 2) ?? { cmd: 'show routes', ...(c ? { prefix: c } : {}), ...fam };
    if (b === 'rib') {
      if (c !== 'in' && c !== 'out') return { error: 'show rib needs "in" or "out" and a peer' };
      if (!d) return { error: `show rib ${c} needs a peer name or address` };
      return extra(4) ?? { cmd: 'show rib', direction: c, peer: d, ...fam };
    }
    if (b === 'status') return extra(2) ?? { cmd: 'status' };
    return { error: `unknown command "show ${b}" (try: show peers, show neighbor, show routes, show rib, show status)` };
  }
  if (a === 'clear') {
    if (b !== 'neighbor' && b !== 'neighbors') return { error: 'usage: clear neighbor PEER|all [soft]' };
    if (!c) return { error: 'clear neighbor needs a peer name, address or "all"' };
    if (d !== undefined && d !== 'soft') return { error: `unexpected argument "${d}" (only "soft" may follow the peer)` };
    return extra(4) ?? { cmd: 'clear neighbor', peer: c, soft: d === 'soft' };
  }
  if (a === 'reload') return extra(1) ?? { cmd: 'reload' };
  return { error: `unknown command "${a}"` };
}
