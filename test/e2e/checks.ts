// Assertions shared by the e2e tests: what the datastore says should be routed, and how long it took
// for every node's kernel to agree.
import { openDatastore } from '../../ipam/store/open';
import { routableBlocks } from '../../ipam/routes';
import type { ClusterNode } from './node';

export async function confirmedBlocks(store: string): Promise<{ cidr: string; node: string }[]> {
  const ds = await openDatastore(`file:${store}`);
  try {
    return (await routableBlocks(ds)).map((b) => ({ cidr: b.cidr, node: b.node }));
  } finally {
    await ds.close();
  }
}

/** Polls every node's kernel routes until `ok(routes, node)` holds on all; resolves with the ms it took. */
export async function timeUntilKernels(nodes: readonly ClusterNode[], ok: (routes: Map<string, Record<string, unknown>>, node: ClusterNode) => boolean, timeoutMs = 10_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const all = await Promise.all(nodes.map(async (n) => ok(await n.routes(), n)));
    if (all.every(Boolean)) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`kernel routes did not converge within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
