// Test-only: what the IPAM store holds (handles and allocated addresses), read through ipam/.
import { Resources } from '../../ipam/resources';
import { openDatastore } from '../../ipam/store/open';

export interface IpamState {
  handles: string[];
  /** address → handle */
  addresses: Map<string, string>;
}

export async function ipamState(store: string): Promise<IpamState> {
  const ds = await openDatastore(store);
  try {
    const res = new Resources(ds);
    const handles = (await res.listHandles()).map((h) => h.value.handleId).sort();
    const addresses = new Map<string, string>();
    for (const sb of await res.listBlocks()) {
      for (let ord = 0; ord < sb.block.size; ord++) {
        const a = sb.block.attributeOf(ord);
        if (a) addresses.set(sb.block.cidr.addressAt(ord), a.handleId);
      }
    }
    return { handles, addresses };
  } finally {
    await ds.close();
  }
}
