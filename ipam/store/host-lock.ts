// A host-wide mutex that the kernel releases when its holder dies, without native code: binding a
// Linux abstract unix socket name is exclusive (EADDRINUSE for everyone else) and the name vanishes
// the instant the holder's socket closes — including on SIGKILL. So there is no stale lock file to
// detect or steal. Caveat: abstract names are per network namespace, so every process sharing a store
// must take the lock from the same netns (IPAM always runs in the host netns; enter a pod's netns only
// after IPAM is done).
//
// Waiting is event-driven rather than polled: a waiter connects to the holder's socket, and the
// holder drops all such connections when it lets go (the kernel does it if the holder dies), which
// wakes every waiter to race for the name again.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Fifo } from './fifo';

export interface HostLockOptions {
  /** Give up after this long (default 30 s): a live holder that never lets go is a bug to report. */
  readonly timeoutMs?: number;
}

interface Held {
  readonly server: Server;
  readonly waiters: Set<Socket>;
}

export class HostLock {
  private readonly fifo = new Fifo();

  constructor(
    private readonly name: string,
    private readonly opts: HostLockOptions = {},
  ) {}

  /** Runs `fn` while holding the lock. In-process callers queue first so they don't race each other. */
  with<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.fifo.run(async () => {
      const held = await this.acquire();
      try {
        return await fn();
      } finally {
        held.server.close();
        for (const s of held.waiters) s.destroy();
      }
    });
  }

  private async acquire(): Promise<Held> {
    const path = '\0' + this.name;
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const held = await tryListen(path);
      if (held) return held;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`lock ${this.name} still held by another process after ${timeoutMs} ms`);
      await waitForRelease(path, Math.min(left, 250));
    }
  }
}

function tryListen(path: string): Promise<Held | undefined> {
  return new Promise((resolve, reject) => {
    const waiters = new Set<Socket>();
    const server = createServer((s) => {
      waiters.add(s);
      s.on('error', () => {});
      s.on('close', () => waiters.delete(s));
    });
    server.unref();
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') resolve(undefined);
      else reject(err);
    };
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      resolve({ server, waiters });
    });
  });
}

/** Resolves when the current holder lets go (or dies), or after `maxMs` as a safety net. */
function waitForRelease(path: string, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect(path);
    const finish = (): void => {
      clearTimeout(timer);
      sock.destroy();
      // A little jitter so the woken waiters don't all hit listen() in the same instant.
      setTimeout(resolve, Math.random() * 0.5);
    };
    const timer = setTimeout(finish, maxMs);
    sock.once('close', finish);
    sock.once('error', finish);
  });
}
