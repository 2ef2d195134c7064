// Socket options Node cannot set itself. Loading this module loads koffi: import it lazily
// (bgpd/session/transport.ts does) so code paths that never need it stay koffi-free.
export { AF_INET, AF_INET6, TcpMd5Error, closeFd, deleteTcpMd5Key, openTcpSocket, setTcpMd5Key, tcpMd5Unsupported } from './tcp-md5';
export type { SocketFamily } from './tcp-md5';
export { TCP_MD5SIG_MAXKEYLEN, encodeTcpMd5Sig, keyAddress, keyBytes } from './tcp-md5-sig';
export type { TcpMd5Sig } from './tcp-md5-sig';
