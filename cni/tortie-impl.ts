// `tortie`'s real entry (dist/tortie.impl.js), started by the stub main.ts through a V8 code cache.
// The CNI plugin a container runtime executes per pod (ADD/DEL/CHECK/STATUS/GC/VERSION).
import { cmdAdd, cmdCheck, cmdDel, cmdGc, cmdStatus } from './plugin';
import { main } from './run';

void main({ ADD: cmdAdd, DEL: cmdDel, CHECK: cmdCheck, STATUS: cmdStatus, GC: cmdGc });
