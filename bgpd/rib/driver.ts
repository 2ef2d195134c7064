// Runs the RIB's queue on the event loop: one bounded batch per macrotask, so session timers and
// sockets get their turn between batches; hands each batch's output to `send`.
import type { Rib } from './rib';
import type { PeerId } from './types';

export class RibDriver {
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly rib: Rib,
    private readonly send: (peer: PeerId, messages: Buffer[]) => void,
    private readonly budget = 10_000,
  ) {}

  /** Call after feeding inputs to the RIB. */
  kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.step());
  }

  /** Resolves once every input queued so far has been worked off (use as backpressure for readers). */
  whenIdle(): Promise<void> {
    if (!this.scheduled && !this.rib.pending) return Promise.resolve();
    this.kick();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private step(): void {
    let more = false;
    try {
      more = this.rib.processBatch(this.budget);
    } finally {
      for (const [peer, msgs] of this.rib.takeOutput()) this.send(peer, msgs);
    }
    if (more) {
      setImmediate(() => this.step());
      return;
    }
    this.scheduled = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
