// `tortie-ipam`'s real entry (dist/tortie-ipam.impl.js), started by ipam-main.ts through a V8 code cache.
// The CNI IPAM plugin (ADD/DEL/CHECK/STATUS/GC/VERSION) backed by ipam/.
import { ipamHandlers } from './ipam-commands';
import { main } from './run';

void main(ipamHandlers);
