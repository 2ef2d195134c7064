import { describe, it, expect } from 'vitest';
import { parseTcpMd5Counters, readTcpMd5Counters } from './md5-counters';

describe('TCP-MD5 drop counters', () => {
  it('picks the three counters out of /proc/net/netstat text by name', () => {
    const text = [
      'TcpExt: SyncookiesSent TCPMD5NotFound TCPMD5Unexpected EmbryonicRsts TCPMD5Failure',
      'TcpExt: 1 7 3 2 5',
      'IpExt: InNoRoutes TCPMD5Failure',
      'IpExt: 9 9',
    ].join('\n');
    expect(parseTcpMd5Counters(text)).toEqual({ wrongSignature: 5, missingSignature: 7, unexpectedSignature: 3 });
  });

  it('is undefined when the kernel has no such counters (no CONFIG_TCP_MD5SIG) or the text is cut', () => {
    expect(parseTcpMd5Counters('TcpExt: SyncookiesSent\nTcpExt: 1\n')).toBeUndefined();
    expect(parseTcpMd5Counters('TcpExt: TCPMD5Failure TCPMD5NotFound TCPMD5Unexpected\n')).toBeUndefined();
  });

  it('reads this namespace\'s counters', () => {
    const c = readTcpMd5Counters();
    expect(c).toBeDefined();
    expect(Number.isInteger(c!.wrongSignature) && c!.wrongSignature >= 0).toBe(true);
  });
});
