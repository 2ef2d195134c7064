import { constants as osConstants } from 'node:os';

// errno number → name, from node's table. Linux aliases two pairs; pick the names iproute2/strerror users expect.
const ERRNO_NAMES = new Map<number, string>();
for (const [name, code] of Object.entries(osConstants.errno)) {
  if (!ERRNO_NAMES.has(code)) ERRNO_NAMES.set(code, name);
}
ERRNO_NAMES.set(osConstants.errno.EAGAIN, 'EAGAIN');
ERRNO_NAMES.set(osConstants.errno.EOPNOTSUPP, 'EOPNOTSUPP');

export function errnoName(code: number): string {
  return ERRNO_NAMES.get(code) ?? `E${code}`;
}

export interface NetlinkErrorInit {
  /** positive errno number */
  code: number;
  /** human description of the request that failed, e.g. "RTM_NEWROUTE 10.0.0.1/32 via 198.18.0.2 table 254" */
  request: string;
  /** kernel extended-ack message (NLMSGERR_ATTR_MSG), when it sent one */
  extack?: string;
  /** index of the failed operation when the request was part of a batch */
  index?: number;
  /** which syscall failed, for socket-level (not kernel-reply) errors */
  syscall?: string;
}

/** An error reported by the kernel for one netlink request (or by a socket syscall). */
export class NetlinkError extends Error {
  readonly errno: string;
  readonly code: number;
  readonly request: string;
  readonly extack: string | undefined;
  readonly index: number | undefined;
  readonly syscall: string | undefined;

  constructor(init: NetlinkErrorInit) {
    const name = errnoName(init.code);
    const where = init.syscall ? `${init.syscall}: ` : '';
    super(`${where}${name}${init.extack ? ` (${init.extack})` : ''} — ${init.request}`);
    this.name = 'NetlinkError';
    this.errno = name;
    this.code = init.code;
    this.request = init.request;
    this.extack = init.extack;
    this.index = init.index;
    this.syscall = init.syscall;
  }
}

export function isNetlinkError(e: unknown, errno?: string): e is NetlinkError {
  return e instanceof NetlinkError && (errno === undefined || e.errno === errno);
}
