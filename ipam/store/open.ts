// Opens a datastore from a spec string, loading etcd3 only when asked for (it costs ~190 ms to
// require, too much for every CNI invocation that uses the file store).
//   file:/var/lib/tortie/ipam     (or a bare path)
//   etcd:http://127.0.0.1:2379[,http://…]
import type { Datastore } from '../datastore';
import { DatastoreError } from '../errors';
import { FileStore } from './file-store';

export async function openDatastore(spec: string): Promise<Datastore> {
  if (spec.startsWith('etcd:')) {
    const { EtcdStore } = await import('./etcd-store');
    return new EtcdStore({ hosts: spec.slice(5).split(',') });
  }
  const scheme = /^([a-z0-9+]+):/.exec(spec)?.[1];
  if (scheme !== undefined && scheme !== 'file') throw new DatastoreError(spec, `unsupported datastore '${scheme}:' (use file:/path or etcd:http://host:port)`);
  let path = scheme === 'file' ? spec.slice(5) : spec;
  // `?nosync` skips fsync (benchmarks, tests on throwaway dirs): faster, not crash-safe on power loss.
  const durable = !path.endsWith('?nosync');
  if (!durable) path = path.slice(0, -'?nosync'.length);
  return new FileStore(path, { durable });
}

export const DEFAULT_DATASTORE = 'file:/var/lib/tortie/ipam';
