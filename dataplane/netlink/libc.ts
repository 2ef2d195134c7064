import koffi from 'koffi';

// The few libc calls the netlink layer needs, typed. Buffers are passed as pointers without copying;
// koffi only keeps the pointer for the duration of the call, which is all these syscalls need.
/** The loaded libc, shared with other koffi bindings in dataplane/ (dataplane/sockopt). */
export const libc = koffi.load('libc.so.6');

const socketFn = libc.func('int socket(int domain, int type, int protocol)');
const bindFn = libc.func('int bind(int fd, void *addr, uint32_t addrlen)');
const setsockoptFn = libc.func('int setsockopt(int fd, int level, int optname, void *optval, uint32_t optlen)');
const getsockoptFn = libc.func('int getsockopt(int fd, int level, int optname, _Out_ void *optval, _Inout_ uint32_t *optlen)');
const sendFn = libc.func('intptr_t send(int fd, void *buf, size_t len, int flags)');
const recvFn = libc.func('intptr_t recv(int fd, _Out_ void *buf, size_t len, int flags)');
const closeFn = libc.func('int close(int fd)');
const setnsFn = libc.func('int setns(int fd, int nstype)');

export const EAGAIN = 11;
export const EINTR = 4;

/** errno of the last failed call on this thread. */
export function lastErrno(): number {
  return koffi.errno();
}

export function sysSocket(domain: number, type: number, protocol: number): number {
  return socketFn(domain, type, protocol) as number;
}
export function sysBind(fd: number, addr: Buffer): number {
  return bindFn(fd, addr, addr.length) as number;
}
export function sysSetsockoptInt(fd: number, level: number, name: number, value: number): number {
  const v = Buffer.alloc(4);
  v.writeInt32LE(value);
  return setsockoptFn(fd, level, name, v, 4) as number;
}
/** Integer socket option value, or -1 on failure. */
export function sysGetsockoptInt(fd: number, level: number, name: number): number {
  const v = Buffer.alloc(4);
  const len = [4];
  return getsockoptFn(fd, level, name, v, len) === 0 ? v.readInt32LE(0) : -1;
}

export function sysSend(fd: number, buf: Buffer, flags: number): number {
  return Number(sendFn(fd, buf, buf.length, flags));
}
export function sysRecv(fd: number, buf: Buffer, flags: number): number {
  return Number(recvFn(fd, buf, buf.length, flags));
}
export function sysClose(fd: number): number {
  return closeFn(fd) as number;
}
export function sysSetns(fd: number, nstype: number): number {
  return setnsFn(fd, nstype) as number;
}

/** struct timeval for SO_RCVTIMEO/SO_SNDTIMEO (x86-64/arm64: two 64-bit longs). */
export function sysSetsockoptTimeval(fd: number, level: number, name: number, ms: number): number {
  const v = Buffer.alloc(16);
  v.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
  v.writeBigInt64LE(BigInt((ms % 1000) * 1000), 8);
  return setsockoptFn(fd, level, name, v, 16) as number;
}
