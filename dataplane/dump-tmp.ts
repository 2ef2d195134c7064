import { spawnSync } from 'node:child_process';
import { Netlink } from './index';
spawnSync('ip', ['netns', 'add', 'tdp-dump']);
const nl = Netlink.open({ netns: 'tdp-dump' });
nl.links.createVeth({ name: 'tdpb0', peerName: 'tdpb1' }); nl.links.setUp('tdpb0'); nl.links.setUp('tdpb1');
nl.addresses.add({ dev: 'tdpb0', address: '198.18.0.1/24' });
const N = 100000;
const ops = Array.from({ length: N }, (_, i) => ({ op: 'add' as const, route: { dst: `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`, gateway: '198.18.0.2', protocol: 201 } }));
let t = performance.now(); nl.routes.batch(ops); console.log('add', performance.now() - t);
for (let k = 0; k < 3; k++) {
t = performance.now(); const d = nl.routes.dump({ protocol: 201, family: 4 }); console.log('dump', d.length, performance.now() - t);
t = performance.now(); const d2 = nl.routes.dump({ protocol: 201, family: 4, names: false }); console.log('dump nonames', d2.length, performance.now() - t);
t = performance.now(); const o = spawnSync('ip', ['-n', 'tdp-dump', '-j', 'route', 'show', 'proto', '201'], { encoding: 'utf8', maxBuffer: 1 << 28 }); const j = JSON.parse(o.stdout); console.log('ip -j', j.length, performance.now() - t);
}
nl.close(); spawnSync('ip', ['netns', 'del', 'tdp-dump']);
