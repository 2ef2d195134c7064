// Runs async jobs one at a time in arrival order: the in-process queue in front of the cross-process
// locks (file-lock.ts, host-lock.ts), so callers in one process wait their turn here instead of
// contending for the kernel-level lock.
export class Fifo {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(job: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((r) => (done = r));
    await prev;
    try {
      return await job();
    } finally {
      done();
    }
  }
}
