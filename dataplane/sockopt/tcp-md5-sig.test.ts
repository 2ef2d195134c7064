import { describe, it, expect } from 'vitest';
import { AF_INET, AF_INET6, TCP_MD5SIG_SIZE, encodeTcpMd5Sig, keyAddress, keyBytes } from './tcp-md5-sig';

describe('struct tcp_md5sig encoding', () => {
  it('lays out an IPv4 key: sockaddr_in, keylen at 130, key at 136, 216 bytes', () => {
    const b = encodeTcpMd5Sig({ ...keyAddress(AF_INET, '198.18.0.2'), key: Buffer.from('s3cret') });
    expect(b.length).toBe(TCP_MD5SIG_SIZE);
    expect(b.readUInt16LE(0)).toBe(AF_INET);
    expect(b.readUInt16BE(2)).toBe(0); // any port
    expect([...b.subarray(4, 8)]).toEqual([198, 18, 0, 2]);
    expect(b.readUInt8(128)).toBe(0); // flags
    expect(b.readUInt8(129)).toBe(0); // prefixlen
    expect(b.readUInt16LE(130)).toBe(6);
    expect(b.readUInt32LE(132)).toBe(0); // ifindex
    expect(b.subarray(136, 142).toString()).toBe('s3cret');
    expect(b.subarray(142).every((x) => x === 0)).toBe(true);
  });

  it('lays out an IPv6 key: sockaddr_in6 address after flowinfo (offset 8)', () => {
    const b = encodeTcpMd5Sig({ ...keyAddress(AF_INET6, 'fd00::2'), key: Buffer.from('k') });
    expect(b.readUInt16LE(0)).toBe(AF_INET6);
    expect(b.subarray(4, 8).every((x) => x === 0)).toBe(true);
    expect(b.subarray(8, 24).toString('hex')).toBe('fd000000000000000000000000000002');
    expect(b.readUInt16LE(130)).toBe(1);
  });

  it('writes the ext fields when given, and keylen 0 for a deletion', () => {
    const b = encodeTcpMd5Sig({ ...keyAddress(AF_INET, '10.0.0.0'), key: Buffer.alloc(0), flags: 3, prefixLength: 24, ifindex: 0x01020304 });
    expect(b.readUInt8(128)).toBe(3);
    expect(b.readUInt8(129)).toBe(24);
    expect(b.readUInt16LE(130)).toBe(0);
    expect(b.readUInt32LE(132)).toBe(0x01020304);
  });

  it('maps an IPv4 peer to ::ffff:a.b.c.d on an IPv6 (dual-stack) socket', () => {
    expect(keyAddress(AF_INET6, '198.18.0.2')).toEqual({ family: AF_INET6, address: Buffer.from('00000000000000000000ffffc6120002', 'hex') });
    // Node reports dual-stack remotes in the mapped form; it is the same peer
    expect(keyAddress(AF_INET, '::ffff:198.18.0.2')).toEqual({ family: AF_INET, address: Buffer.from([198, 18, 0, 2]) });
  });

  it('refuses an IPv6 peer on an IPv4 socket and a bad address', () => {
    expect(() => keyAddress(AF_INET, 'fd00::1')).toThrow(/IPv6 peer fd00::1 cannot have a key on an IPv4 socket/);
    expect(() => keyAddress(AF_INET6, 'nope')).toThrow(/invalid IP address/);
  });

  it('takes 1–80 UTF-8 bytes and never echoes the password in the error', () => {
    expect(keyBytes('pässword').length).toBe(9);
    expect(keyBytes('x'.repeat(80)).length).toBe(80);
    expect(() => keyBytes('')).toThrow(/1–80 bytes, got 0/);
    let msg = '';
    try {
      keyBytes('ü'.repeat(41));
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe('TCP-MD5 key must be 1–80 bytes, got 82');
    expect(() => encodeTcpMd5Sig({ family: AF_INET, address: Buffer.alloc(16), key: Buffer.from('k') })).toThrow(/4 bytes/);
  });
});
