// `tortie-ipam`: the CNI IPAM plugin (ADD/DEL/CHECK/STATUS/GC/VERSION) backed by ipam/.
import { ipamHandlers } from './ipam-commands';
import { main } from './run';

void main(ipamHandlers);
