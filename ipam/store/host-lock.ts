// A host-wide mutex that the kernel releases when its holder dies, without native code: binding a
// Linux abstract unix socket name is exclusive (EADDRINUSE for everyone else) and the name vanishes
// the instant the holder's socket closes — including on SIGKILL. So there is no stale lock file to
// detect or steal. Caveat: abstract names are per network namespace, so every process sharing a store
// must take the lock from the same netns (IPAM always runs in the host netns; enter a pod's netns only
// after IPAM is done).
import { createServer, type Server } from 'node:net';

export interface HostLockOptions {
  /** Give up after this long (default 30 s): a live holder that never lets go is a bug to report. */
  readonly timeoutMs?: number;
}

export class HostLock {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly name: string,
    private readonly opts: HostLockOptions = {},
  ) {}

  /** Runs `fn` while holding the lock. In-process callers queue first so they don't poll each other. */
  async with<T>(fn: () => T | Promise<T>): Promise<T> {
    const prev = this.queue;
    let done!: () => void;
    this.queue = new Promise<void>((r) => (done = r));
    await prev;
    try {
      const server = await this.acquire();
      try {
        return await fn();
      } finally {
        server.close();
      }
    } finally {
      done();
    }
  }

  private async acquire(): Promise<Server> {
    const deadline = Date.now() + (this.opts.timeoutMs ?? 30_000);
    let wait = 0.25;
    for (;;) {
      const server = await tryListen('\0' + this.name);
      if (server) return server;
      if (Date.now() > deadline) throw new Error(`lock ${this.name} still held by another process after ${this.opts.timeoutMs ?? 30_000} ms`);
      // Jitter keeps pollers from waking in lockstep; the low cap matters because nothing wakes a
      // waiter when the lock frees, and holds are ~1 ms: a long sleep would leave the lock idle.
      await new Promise((r) => setTimeout(r, Math.random() * wait));
      wait = Math.min(wait * 2, 3);
    }
  }
}

function tryListen(path: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') resolve(undefined);
      else reject(err);
    };
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}
