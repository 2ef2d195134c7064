// The generator and the monitor of the BGP pass-through benchmark, as one child process each.
// Node sockets cannot be moved into a network namespace after creation, so the harness starts this
// file under `ip netns exec NS node <bundle> ...`. It talks JSON lines on stdout and reads commands
// on stdin; stdin closing means "the harness is gone": exit at once.
//
//   gen --local A --remote B --as N --router-id R --table unique:100000   stdin: send | withdraw | quit
//   mon --local A --remote B --as N --router-id R --expect 100000 [--listen]   stdin: stats | quit
//   cgen --local-base A --peers P --per K --remote B --as N --expect-recv E     stdin: send | quit
//        P iBGP sessions from A, A+1, …, each announcing K /26 pod blocks (cluster shapes); every
//        session counts what it receives, mark "allRecv" once each holds E prefixes
//
// Events (one JSON object per line, times are epoch ms from nowMs()):
//   {"ev":"ready", ...table facts}          gen: table built and encoded
//   {"ev":"established","t"}
//   {"ev":"sent","phase","t0","t1","cpuMs","bytes","updates"}   gen: last byte handed to the kernel
//   {"ev":"mark","name","t","count"}        mon: first, 99%, 100%, withdrawn99, empty
//   {"ev":"stats","count","updates","prefixesIn","withdrawnIn","cpuMs","tLast"}
//   {"ev":"error","msg"}
import * as readline from 'node:readline';
import { BenchSession, nowMs } from './bgp-session';
import { addIPv4, buildTable, chunk, clusterPeerUpdates, encodeTable, parseTableSpec } from './bgp-table';

type Args = Record<string, string | true>;

function parseArgs(argv: readonly string[]): { role: string; args: Args } {
  const [role, ...rest] = argv;
  const args: Args = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) args[a.slice(2)] = true;
    else {
      args[a.slice(2)] = next;
      i++;
    }
  }
  return { role: role ?? '', args };
}

function emit(obj: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function need(args: Args, name: string): string {
  const v = args[name];
  if (typeof v !== 'string') throw new Error(`--${name} is required`);
  return v;
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

let handler: (cmd: string) => void | Promise<void> = () => {};

/** Listens from the start, so a harness that dies while we still connect takes us with it. */
function listenForCommands(): void {
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    Promise.resolve(handler(line.trim())).catch((err: Error) => emit({ ev: 'error', msg: err.message }));
  });
  rl.on('close', () => process.exit(0));
}

function commands(h: (cmd: string) => void | Promise<void>): void {
  handler = h;
}

async function generator(args: Args): Promise<void> {
  const localAs = Number(need(args, 'as'));
  const local = need(args, 'local');
  const b0 = performance.now();
  const table = buildTable(parseTableSpec(need(args, 'table')), localAs, local);
  const enc = encodeTable(table);
  const announce = chunk(enc.announce);
  const withdraw = chunk(enc.withdraw);
  emit({
    ev: 'ready', buildMs: performance.now() - b0, prefixes: table.prefixCount, attrSets: table.attrSetCount,
    updates: enc.announce.length, bytes: enc.announceBytes, withdrawUpdates: enc.withdraw.length, withdrawBytes: enc.withdrawBytes,
  });
  const session = await BenchSession.open({
    localAddress: local, remoteAddress: need(args, 'remote'), localAs, routerId: need(args, 'router-id'), listen: args.listen === true,
  });
  session.onClose = (why) => emit({ ev: 'error', msg: why });
  emit({ ev: 'established', t: nowMs() });
  commands(async (cmd) => {
    if (cmd === 'send' || cmd === 'withdraw') {
      const chunks = cmd === 'send' ? announce : withdraw;
      const c0 = cpuMs();
      const t0 = nowMs();
      await session.blast(chunks);
      const t1 = nowMs();
      emit({
        ev: 'sent', phase: cmd === 'send' ? 'announce' : 'withdraw', t0, t1, cpuMs: cpuMs() - c0,
        bytes: cmd === 'send' ? enc.announceBytes : enc.withdrawBytes, updates: cmd === 'send' ? enc.announce.length : enc.withdraw.length,
      });
    } else if (cmd === 'quit') {
      session.close();
      process.exit(0);
    }
  });
}

async function monitor(args: Args): Promise<void> {
  const expect = Number(need(args, 'expect'));
  const session = await BenchSession.open({
    localAddress: need(args, 'local'), remoteAddress: need(args, 'remote'), localAs: Number(need(args, 'as')),
    routerId: need(args, 'router-id'), listen: args.listen === true,
  });
  session.onClose = (why) => emit({ ev: 'error', msg: why });
  emit({ ev: 'established', t: nowMs() });
  // A set, not a counter: a target may re-announce a prefix (implicit withdraw), which must not count twice.
  const table = new Set<string>();
  const n99 = Math.ceil(expect * 0.99);
  const n01 = Math.floor(expect * 0.01);
  let updates = 0;
  let prefixesIn = 0;
  let withdrawnIn = 0;
  let tLast = 0;
  let full = false;
  const marks = new Set<string>();
  const mark = (name: string): void => {
    if (marks.has(name)) return;
    marks.add(name);
    emit({ ev: 'mark', name, t: nowMs(), count: table.size });
  };
  session.onUpdate = (withdrawn, nlri) => {
    updates++;
    const before = table.size;
    for (const k of withdrawn) table.delete(k);
    for (const k of nlri) table.add(k);
    prefixesIn += nlri.length;
    withdrawnIn += withdrawn.length;
    if (table.size === before && nlri.length === 0 && withdrawn.length === 0) return;
    tLast = nowMs();
    if (nlri.length > 0) mark('first');
    if (table.size >= n99) mark('99');
    if (table.size >= expect) {
      full = true;
      mark('100');
    }
    if (full && table.size <= n01) mark('withdrawn99');
    if (full && table.size === 0) mark('empty');
  };
  commands((cmd) => {
    if (cmd === 'stats') emit({ ev: 'stats', count: table.size, updates, prefixesIn, withdrawnIn, cpuMs: cpuMs(), tLast });
    else if (cmd === 'quit') {
      session.close();
      process.exit(0);
    }
  });
}

async function clusterGenerator(args: Args): Promise<void> {
  const peers = Number(need(args, 'peers'));
  const per = Number(need(args, 'per'));
  const expectRecv = Number(need(args, 'expect-recv'));
  const base = need(args, 'local-base');
  const localAs = Number(need(args, 'as'));
  const updates = Array.from({ length: peers }, (_, i) => chunk(clusterPeerUpdates(i, per, addIPv4(base, i))));
  const t0 = nowMs();
  const received = Array.from({ length: peers }, () => new Set<string>());
  let full = 0;
  let done = false;
  const sessions = await Promise.all(updates.map(async (_, i) => {
    const local = addIPv4(base, i);
    const s = await BenchSession.open({ localAddress: local, remoteAddress: need(args, 'remote'), localAs, routerId: local });
    s.onClose = (why) => emit({ ev: 'error', msg: `session ${local}: ${why}` });
    s.onUpdate = (withdrawn, nlri) => {
      const set = received[i];
      const was = set.size >= expectRecv;
      for (const k of withdrawn) set.delete(k);
      for (const k of nlri) set.add(k);
      const is = set.size >= expectRecv;
      if (is && !was) full++;
      if (!is && was) full--;
      if (!done && full === peers) {
        done = true;
        emit({ ev: 'mark', name: 'allRecv', t: nowMs(), count: expectRecv });
      }
    };
    return s;
  }));
  emit({ ev: 'established', t: nowMs(), t0, sessions: sessions.length });
  commands(async (cmd) => {
    if (cmd === 'send') {
      const c0 = cpuMs();
      const s0 = nowMs();
      await Promise.all(sessions.map((s, i) => s.blast(updates[i])));
      emit({ ev: 'sent', phase: 'announce', t0: s0, t1: nowMs(), cpuMs: cpuMs() - c0, updates: updates.reduce((n, u) => n + u.length, 0) });
    } else if (cmd === 'stats') {
      emit({ ev: 'stats', full, min: Math.min(...received.map((r) => r.size)), cpuMs: cpuMs() });
    } else if (cmd === 'quit') {
      for (const s of sessions) s.close();
      process.exit(0);
    }
  });
}

const { role, args } = parseArgs(process.argv.slice(2));
listenForCommands();
const main = role === 'gen' ? generator : role === 'mon' ? monitor : role === 'cgen' ? clusterGenerator : undefined;
if (!main) {
  emit({ ev: 'error', msg: `usage: bgp-peer.ts gen|mon --local A --remote B --as N --router-id R (--table SPEC | --expect N) [--listen]` });
  process.exit(64);
}
main(args).catch((err: Error) => {
  emit({ ev: 'error', msg: err.message });
  process.exit(1);
});
