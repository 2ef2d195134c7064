// Runs the FSM's named timers on an injectable scheduler, so tests can drive time by hand.

import type { TimerName } from './fsm';

export interface TimerHandle {
  /** Restart with the same duration (cheap: used for the hold timer on every received message). */
  refresh(): void;
}

export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(h: TimerHandle): void;
}

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers alone must not keep a process (or a test worker) alive.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class SessionTimers {
  private readonly running = new Map<TimerName, { handle: TimerHandle; ms: number; deadline: number }>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly onExpire: (name: TimerName) => void,
  ) {}

  start(name: TimerName, ms: number): void {
    const cur = this.running.get(name);
    if (cur && cur.ms === ms) {
      cur.handle.refresh();
      cur.deadline = this.scheduler.now() + ms;
      return;
    }
    if (cur) this.scheduler.clearTimeout(cur.handle);
    const handle = this.scheduler.setTimeout(() => {
      this.running.delete(name);
      this.onExpire(name);
    }, ms);
    this.running.set(name, { handle, ms, deadline: this.scheduler.now() + ms });
  }

  stop(name: TimerName): void {
    const cur = this.running.get(name);
    if (!cur) return;
    this.scheduler.clearTimeout(cur.handle);
    this.running.delete(name);
  }

  stopAll(): void {
    for (const name of [...this.running.keys()]) this.stop(name);
  }

  /** Remaining and configured ms, like BIRD's "Hold timer: 65.087/90". */
  status(name: TimerName): { remainingMs: number; ms: number } | undefined {
    const cur = this.running.get(name);
    return cur ? { remainingMs: Math.max(0, cur.deadline - this.scheduler.now()), ms: cur.ms } : undefined;
  }
}

/** A hand-driven scheduler for tests: time moves only when `advance` is called. */
export class ManualScheduler implements Scheduler {
  private t = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; ms: number; fn: () => void }>();

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + ms, ms, fn });
    const self = this;
    return Object.assign(
      {
        refresh() {
          const p = self.pending.get(id);
          if (p) p.at = self.t + p.ms;
        },
      },
      { id },
    );
  }
  clearTimeout(h: TimerHandle): void {
    this.pending.delete((h as TimerHandle & { id: number }).id);
  }
  /** Moves time forward, firing due timers in deadline order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.pending.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}
