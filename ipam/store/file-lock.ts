// The file store's mutex: flock(2) on a lock file inside the store directory. The kernel drops the lock
// when its holder dies (SIGKILL included), and, unlike host-lock.ts's abstract unix socket, flock is
// tied to the file, not to a network namespace: bgpd and the CNI plugin of one host, or the demo's
// nodes (one netns each, one shared directory), all exclude each other as long as they open the same
// file. Node has no flock binding, so it comes from libc through koffi (already a dependency of the
// dataplane); loading it costs ~5 ms, paid only by processes that open a file store.
import { closeSync, openSync } from 'node:fs';
import koffi from 'koffi';
import { Fifo } from './fifo';
import { DatastoreError } from '../errors';

// A plain timer, not node:timers/promises (one module fewer to load per CNI plugin start).
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
const EWOULDBLOCK = 11;
const EINTR = 4;

let flockFn: ((fd: number, op: number) => number) | undefined;
function flock(fd: number, op: number): number {
  flockFn ??= koffi.load('libc.so.6').func('int flock(int fd, int op)') as (fd: number, op: number) => number;
  return flockFn(fd, op);
}

export interface FileLockOptions {
  /** Give up after this long (default 30 s): a live holder that never lets go is a bug to report. */
  readonly timeoutMs?: number;
}

export class FileLock {
  private readonly fifo = new Fifo();

  constructor(
    readonly path: string,
    private readonly opts: FileLockOptions = {},
  ) {}

  /** Runs `fn` while holding the lock. In-process callers queue first so they don't poll each other. */
  with<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.fifo.run(async () => {
      const fd = await this.acquire();
      try {
        return await fn();
      } finally {
        flock(fd, LOCK_UN);
        closeSync(fd);
      }
    });
  }

  private async acquire(): Promise<number> {
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const fd = openSync(this.path, 'a');
    // a blocking flock would stall the event loop (bgpd's keepalives): try, then back off 1 → 10 ms
    for (let wait = 1; ; wait = Math.min(wait * 2, 10)) {
      if (flock(fd, LOCK_EX | LOCK_NB) === 0) return fd;
      const errno = koffi.errno();
      if (errno !== EWOULDBLOCK && errno !== EINTR) {
        closeSync(fd);
        throw new Error(`flock ${this.path}: errno ${errno}`);
      }
      if (Date.now() >= deadline) {
        closeSync(fd);
        // a DatastoreError: the holder will let go, so callers (the CNI plugin: code 11) say "try again later"
        throw new DatastoreError(this.path, `lock still held by another process after ${timeoutMs} ms`);
      }
      await sleep(wait);
    }
  }
}
