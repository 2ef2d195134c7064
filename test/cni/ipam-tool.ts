// Test-only CLI for stores the test process cannot reach itself (an etcd inside a lab netns):
//   tsx test/cni/ipam-tool.ts <store spec> pool <cidr>    creates a pool
//   tsx test/cni/ipam-tool.ts <store spec> state          prints {"handles": [...], "owners": {ip: owner}}
import { createPool } from '../../ipam/pools';
import { Resources } from '../../ipam/resources';
import { openDatastore } from '../../ipam/store/open';

async function main(): Promise<void> {
  const [spec, cmd, arg] = process.argv.slice(2);
  const ds = await openDatastore(spec);
  try {
    if (cmd === 'pool') {
      await createPool(ds, { cidr: arg });
    } else if (cmd === 'state') {
      const res = new Resources(ds);
      const handles = (await res.listHandles()).map((h) => h.value.handleId);
      const owners: Record<string, unknown> = {};
      for (const sb of await res.listBlocks()) {
        for (let ord = 0; ord < sb.block.size; ord++) {
          const a = sb.block.attributeOf(ord);
          if (a) owners[sb.block.cidr.addressAt(ord)] = { handleId: a.handleId, ...a.owner };
        }
      }
      process.stdout.write(JSON.stringify({ handles, owners }));
    } else throw new Error(`unknown command ${cmd}`);
  } finally {
    await ds.close();
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
