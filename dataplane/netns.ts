import * as fs from 'node:fs';
import { CLONE_NEWNET } from './netlink/constants';
import { lastErrno, sysSetns } from './netlink/libc';
import { NetlinkError } from './netlink/errors';

let poolWarmed = false;

/**
 * libuv starts its threadpool lazily on the first async fs/dns call, and pool threads inherit the
 * netns of the thread that starts them. If that first call happened while we are switched, every pool
 * thread would live in the wrong netns forever, so force the pool into existence (synchronously,
 * inside uv_queue_work) before the first setns.
 */
export function warmThreadpool(): void {
  if (poolWarmed) return;
  poolWarmed = true;
  fs.access('/', () => {});
}

/** A bare name means /var/run/netns/<name> (what `ip netns add` creates); a path is used as is. */
export function netnsPath(nameOrPath: string): string {
  return nameOrPath.includes('/') ? nameOrPath : `/var/run/netns/${nameOrPath}`;
}

function setnsOrThrow(fd: number, what: string): void {
  if (sysSetns(fd, CLONE_NEWNET) !== 0) {
    throw new NetlinkError({ code: lastErrno(), request: `setns ${what}`, syscall: 'setns' });
  }
}

/**
 * Runs fn with the calling (main) thread switched into the netns at `nameOrPath`, then switches back.
 * fn must be synchronous: anything it schedules (promises, async fs, node sockets) runs later, in the
 * original netns. What does follow: netlink sockets created inside, sync fs on /proc/sys/net, spawnSync.
 */
export function withNetns<T>(nameOrPath: string, fn: () => T): T {
  warmThreadpool();
  const path = netnsPath(nameOrPath);
  const orig = fs.openSync('/proc/thread-self/ns/net', 'r');
  try {
    const target = openNetnsFd(path);
    try {
      setnsOrThrow(target, path);
    } finally {
      fs.closeSync(target);
    }
    let result: T;
    try {
      result = fn();
    } finally {
      setnsOrThrow(orig, 'back to original netns');
    }
    if (result instanceof Promise) {
      throw new Error('withNetns: the body returned a Promise; it must be synchronous');
    }
    return result;
  } finally {
    fs.closeSync(orig);
  }
}

/** Inode identity of a netns ("net:[4026531833]"), for checks and logs. */
export function netnsId(nameOrPath?: string): string {
  if (nameOrPath === undefined) return fs.readlinkSync('/proc/thread-self/ns/net');
  const st = fs.statSync(netnsPath(nameOrPath));
  return `net:[${st.ino}]`;
}

/** Opens the netns file (for IFLA_NET_NS_FD or setns). Caller closes it. NetlinkError (ENOENT…) on failure. */
export function openNetnsFd(nameOrPath: string): number {
  const path = netnsPath(nameOrPath);
  try {
    return fs.openSync(path, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err.errno !== 'number') throw e;
    throw new NetlinkError({ code: -err.errno, request: `open netns ${path}`, syscall: 'open' });
  }
}
