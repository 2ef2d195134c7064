// Resident memory and CPU time of a daemon and everything it forked (OpenBGPD runs four processes,
// FRR one with threads), read straight from /proc so it costs the target nothing.
import * as fs from 'node:fs';

/** Kernel clock ticks per second for /proc/PID/stat times (USER_HZ; 100 on every Linux we run). */
const TICKS = 100;

function readStat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // comm may contain spaces and parentheses: fields start after the last ')'
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // f[0] = state (field 3); ppid is field 4, utime 14, stime 15
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** `root` and all its descendants that are alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (!st) continue;
    const list = children.get(st.ppid);
    if (list) list.push(Number(name));
    else children.set(st.ppid, [Number(name)]);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const p = todo.pop() as number;
    if (!fs.existsSync(`/proc/${p}`)) continue;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

export interface Usage {
  /** Sum of VmRSS over the tree, bytes. */
  readonly rss: number;
  /** Sum of utime+stime over the tree, seconds (children that already exited are not counted). */
  readonly cpu: number;
  readonly processes: number;
}

export function usage(pids: readonly number[]): Usage {
  let rss = 0;
  let ticks = 0;
  let processes = 0;
  for (const p of pids) {
    const st = readStat(p);
    if (!st) continue;
    processes++;
    ticks += st.ticks;
    rss += rssKb(p) * 1024;
  }
  return { rss, cpu: ticks / TICKS, processes };
}

/** Samples a process tree every `intervalMs` and keeps the peak RSS; the tree is re-read each time (daemons fork late), about once a second. */
export class UsageSampler {
  peakRss = 0;
  private timer: NodeJS.Timeout | undefined;
  private tree: number[] = [];
  private samples = 0;

  constructor(
    private readonly root: number,
    private readonly intervalMs = 50,
  ) {}

  now(): Usage {
    // walking all of /proc costs a few ms of the shared 2 cores: only every 20th sample
    if (this.samples++ % 20 === 0) this.tree = processTree(this.root);
    const u = usage(this.tree);
    if (u.rss > this.peakRss) this.peakRss = u.rss;
    return u;
  }

  start(): void {
    this.peakRss = 0;
    this.timer = setInterval(() => this.now(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** CPU seconds used by every process on the box except the listed trees, from /proc/stat (contention check). */
export function totalCpuSeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'latin1').split('\n')[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / TICKS;
}
