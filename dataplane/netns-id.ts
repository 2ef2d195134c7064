// RTM_GETNSID: the id one network namespace gives another (what a veth's IFLA_LINK_NETNSID refers to).
// CNI's CHECK uses it to tell whether a host veth's peer really lives in the pod's netns.
import { closeSync, openSync } from 'node:fs';
import { parseAttrs } from './netlink/decode';
import { netnsPath } from './netns';
import type { Netlink } from './index';

const RTM_NEWNSID = 88;
const RTM_GETNSID = 90;
const NETNSA_NSID = 1;
const NETNSA_FD = 3;
const AF_UNSPEC = 0;

/**
 * The id `sock`'s netns gives the netns at nameOrPath (RTM_GETNSID), -1 when it has none. Reading the
 * host end's link first assigns one if its peer lives there, so "none" already means "not the peer".
 */
export function netnsIdOf(nl: Netlink, nameOrPath: string): number {
  const fd = openSync(netnsPath(nameOrPath), 'r');
  let id = -1;
  try {
    nl.socket.request(RTM_GETNSID, 0, (w) => {
      w.u8(AF_UNSPEC).u8(0).u16(0); // struct rtgenmsg, padded to 4
      w.attrU32(NETNSA_FD, fd);
    }, () => `RTM_GETNSID ${nameOrPath}`, (m) => {
      if (m.type !== RTM_NEWNSID) return;
      const v = parseAttrs(m.payload, 4).get(NETNSA_NSID);
      if (v && v.length >= 4) id = v.readInt32LE(0);
    });
  } finally {
    closeSync(fd);
  }
  return id;
}
