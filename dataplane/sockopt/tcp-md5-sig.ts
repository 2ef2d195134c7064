// The byte layout of Linux's struct tcp_md5sig (include/uapi/linux/tcp.h), the argument of
// setsockopt(IPPROTO_TCP, TCP_MD5SIG). Pure encoding, no syscalls: unit-testable without koffi.
//
//   struct tcp_md5sig {
//     struct sockaddr_storage tcpm_addr;  //   0, 128 bytes: sockaddr_in or sockaddr_in6 of the peer
//     __u8  tcpm_flags;                   // 128: TCP_MD5SIG_FLAG_* (only read with TCP_MD5SIG_EXT)
//     __u8  tcpm_prefixlen;               // 129: (only read with TCP_MD5SIG_EXT + FLAG_PREFIX)
//     __u16 tcpm_keylen;                  // 130: host byte order; 0 deletes the key
//     __u32 tcpm_ifindex;                 // 132: (only read with TCP_MD5SIG_EXT + FLAG_IFINDEX)
//     __u8  tcpm_key[TCP_MD5SIG_MAXKEYLEN]; // 136, 80 bytes
//   };                                    // 216 bytes
import { parseIp } from '../ipaddr';

export const IPPROTO_TCP = 6;
/** setsockopt name: exact peer address (the ext flags below need TCP_MD5SIG_EXT = 32). */
export const TCP_MD5SIG = 14;
export const TCP_MD5SIG_EXT = 32;
export const TCP_MD5SIG_MAXKEYLEN = 80;
export const TCP_MD5SIG_SIZE = 216;
export const AF_INET = 2;
export const AF_INET6 = 10;

const OFF_FLAGS = 128;
const OFF_PREFIXLEN = 129;
const OFF_KEYLEN = 130;
const OFF_IFINDEX = 132;
const OFF_KEY = 136;

/** The address family of the socket the key goes on (not of the peer: see keyAddress). */
export type SocketFamily = typeof AF_INET | typeof AF_INET6;

export interface TcpMd5Sig {
  /** Family of the sockaddr in the struct. */
  family: SocketFamily;
  /** 4 bytes (AF_INET) or 16 bytes (AF_INET6). */
  address: Buffer;
  /** Empty = delete the key for this address. */
  key: Buffer;
  flags?: number;
  prefixLength?: number;
  ifindex?: number;
}

/**
 * The sockaddr a key for `peer` must carry on a socket of `socketFamily`. Measured on this kernel
 * (6.18): an AF_INET6 socket (Node's dual-stack `::` listener) refuses an AF_INET sockaddr with EINVAL
 * and wants an IPv4 peer as v4-mapped `::ffff:a.b.c.d` (it then stores an AF_INET key, which is what a
 * v4 SYN arriving on that listener is checked against); an AF_INET socket refuses AF_INET6 (EINVAL).
 * An IPv6 peer cannot be keyed on an AF_INET socket at all.
 */
export function keyAddress(socketFamily: SocketFamily, peer: string): { family: SocketFamily; address: Buffer } {
  const ip = parseIp(peer.startsWith('::ffff:') && peer.includes('.') ? peer.slice(7) : peer);
  if (socketFamily === AF_INET) {
    if (ip.family !== 4) throw new RangeError(`TCP-MD5: IPv6 peer ${peer} cannot have a key on an IPv4 socket`);
    return { family: AF_INET, address: ip.bytes };
  }
  if (ip.family === 6) return { family: AF_INET6, address: ip.bytes };
  const mapped = Buffer.alloc(16);
  mapped.writeUInt16BE(0xffff, 10);
  ip.bytes.copy(mapped, 12);
  return { family: AF_INET6, address: mapped };
}

/** The password as the key bytes (UTF-8, like BIRD and FRR read it from their configs). */
export function keyBytes(password: string): Buffer {
  const key = Buffer.from(password, 'utf8');
  if (key.length === 0 || key.length > TCP_MD5SIG_MAXKEYLEN) {
    // the length only: a password must never end up in a log line
    throw new RangeError(`TCP-MD5 key must be 1–${TCP_MD5SIG_MAXKEYLEN} bytes, got ${key.length}`);
  }
  return key;
}

export function encodeTcpMd5Sig(sig: TcpMd5Sig): Buffer {
  const b = Buffer.alloc(TCP_MD5SIG_SIZE);
  if (sig.key.length > TCP_MD5SIG_MAXKEYLEN) throw new RangeError(`TCP-MD5 key longer than ${TCP_MD5SIG_MAXKEYLEN} bytes`);
  // sa_family is host byte order, the port (left 0: keys match any port) network order
  b.writeUInt16LE(sig.family, 0);
  if (sig.family === AF_INET) {
    if (sig.address.length !== 4) throw new RangeError('AF_INET address must be 4 bytes');
    sig.address.copy(b, 4); // sockaddr_in.sin_addr
  } else {
    if (sig.address.length !== 16) throw new RangeError('AF_INET6 address must be 16 bytes');
    sig.address.copy(b, 8); // sockaddr_in6.sin6_addr, after sin6_flowinfo
  }
  b.writeUInt8(sig.flags ?? 0, OFF_FLAGS);
  b.writeUInt8(sig.prefixLength ?? 0, OFF_PREFIXLEN);
  b.writeUInt16LE(sig.key.length, OFF_KEYLEN);
  b.writeUInt32LE(sig.ifindex ?? 0, OFF_IFINDEX);
  sig.key.copy(b, OFF_KEY);
  return b;
}
