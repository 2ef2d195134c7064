import { describe, expect, it } from 'vitest';
import type { NodeEvent } from './nodes';
import { getNode, listNodes, registerNode, removeNode, watchNodes } from './nodes';
import { MemoryStore } from './store/memory-store';
import { FamilyMismatchError } from './errors';

describe('node registry', () => {
  it('registers, lists, watches and removes nodes', async () => {
    const ds = new MemoryStore();
    const events: NodeEvent[] = [];
    const w = watchNodes(ds, (e) => events.push(e));
    await registerNode(ds, { name: 'n1', ipv4: '198.18.0.1', ipv6: 'FD00:0::1', asNumber: 64512, vxlanVtep: '10.0.0.1', vxlanMac: '66:AA:00:00:00:01' });
    await registerNode(ds, { name: 'n2', ipv4: '198.18.0.2', rrClusterId: '224.0.0.1' });
    expect((await getNode(ds, 'n1'))?.ipv6).toBe('fd00::1');
    expect((await getNode(ds, 'n1'))?.vxlanMac).toBe('66:aa:00:00:00:01');
    expect((await listNodes(ds)).map((n) => n.name)).toEqual(['n1', 'n2']);
    await registerNode(ds, { name: 'n2', ipv4: '198.18.0.22' });
    expect(await removeNode(ds, 'n1')).toBe(true);
    expect(await removeNode(ds, 'n1')).toBe(false);
    w.close();
    expect(events.map((e) => (e.type === 'put' ? `put ${e.node.name} ${e.node.ipv4}` : `delete ${e.name}`))).toEqual([
      'put n1 198.18.0.1',
      'put n2 198.18.0.2',
      'put n2 198.18.0.22',
      'delete n1',
    ]);
  });

  it('rejects bad addresses, AS numbers and names', async () => {
    const ds = new MemoryStore();
    await expect(registerNode(ds, { name: 'n1', ipv4: 'fd00::1' })).rejects.toThrow(FamilyMismatchError);
    await expect(registerNode(ds, { name: 'n1', ipv4: '198.18.0.300' })).rejects.toThrow(/not a valid IP address/);
    await expect(registerNode(ds, { name: 'n1', asNumber: 0 })).rejects.toThrow(/AS number 0 is out of range/);
    await expect(registerNode(ds, { name: 'Bad_Name' })).rejects.toThrow(/invalid node name/);
    expect(await listNodes(ds)).toEqual([]);
  });
});
