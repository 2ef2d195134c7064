// Opens a datastore from a spec string, loading etcd3 (~190 ms) and the Kubernetes client (~400 ms)
// only when asked for: every CNI invocation on the file store would otherwise pay for them.
//   file:/var/lib/tortie/ipam     (or a bare path; `?nosync` suffix: no fsync, for tests/benchmarks)
//   etcd:http://127.0.0.1:2379[,http://…]
//   kubernetes:[/path/to/kubeconfig]   (kubernetes-open.ts)
import type { Datastore } from '../datastore';
import { DatastoreError } from '../errors';
import { FileStore } from './file-store';

export async function openDatastore(spec: string): Promise<Datastore> {
  if (spec.startsWith('etcd:')) {
    const { EtcdStore } = await import('./etcd-store');
    return new EtcdStore({ hosts: spec.slice(5).split(',') });
  }
  if (spec.startsWith('kubernetes:')) {
    const { openKubernetesStore } = await import('./kubernetes-open');
    return openKubernetesStore(spec);
  }
  const scheme = /^([a-z0-9+]+):/.exec(spec)?.[1];
  if (scheme !== undefined && scheme !== 'file')
    throw new DatastoreError(spec, `unsupported datastore '${scheme}:' (use file:/path, etcd:http://host:port or kubernetes:[kubeconfig])`);
  let path = scheme === 'file' ? spec.slice(5) : spec;
  const durable = !path.endsWith('?nosync');
  if (!durable) path = path.slice(0, -'?nosync'.length);
  return new FileStore(path, { durable });
}

export const DEFAULT_DATASTORE = 'file:/var/lib/tortie/ipam';
