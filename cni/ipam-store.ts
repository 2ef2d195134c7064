// Opens the IPAM datastore a netconf names. The ipam/ modules are imported here and nowhere at the
// top level of an entry point, so VERSION/STATUS-style calls and exec'd-IPAM setups never load them;
// etcd3 is loaded by openDatastore only for an etcd: spec.
import type { Datastore } from '../ipam/datastore';
import type { Ipam, Serializer } from '../ipam/ipam';
import type { NetConf } from './netconf';

export const DEFAULT_DATASTORE = 'file:/var/lib/tortie/ipam';

export interface IpamHandle {
  ipam: Ipam;
  ds: Datastore;
  spec: string;
  close(): Promise<void>;
}

/** Top-level `datastore` (Calico keeps datastore settings at the top level too), else `ipam.datastore`. */
export function datastoreSpec(conf: NetConf): string {
  const ipamDs = (conf.raw.ipam as Record<string, unknown> | undefined)?.datastore;
  return conf.datastore ?? (typeof ipamDs === 'string' && ipamDs ? ipamDs : DEFAULT_DATASTORE);
}

export async function openIpam(conf: NetConf): Promise<IpamHandle> {
  const [{ openDatastore }, { Ipam }, { FileStore }] = await Promise.all([
    import('../ipam/store/open'),
    import('../ipam/ipam'),
    import('../ipam/store/file-store'),
  ]);
  const spec = datastoreSpec(conf);
  const ds = await openDatastore(spec);
  // Serialises this host's CNI IPAM calls on one store (Calico's ipam.lock): 30 parallel ADDs then
  // queue instead of fighting CAS races over the same block. Correctness does not depend on it. The
  // file store's own lock does that job and also spares each write inside the call its own lock round trip.
  // host-lock.ts (node:net) is loaded only for the other stores.
  let hostLock: Serializer;
  if (ds instanceof FileStore) hostLock = { with: <T>(fn: () => T | Promise<T>) => ds.exclusive(fn) };
  else {
    const [{ HostLock }, { fnv1a32 }] = await Promise.all([import('../ipam/store/host-lock'), import('../ipam/hash')]);
    hostLock = new HostLock(`tortie-ipam-host:${fnv1a32(spec)}`, { timeoutMs: 60_000 });
  }
  const ipam = new Ipam(ds, { hostLock });
  return { ipam, ds, spec, close: () => ds.close() };
}
