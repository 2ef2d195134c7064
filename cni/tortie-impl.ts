// `tortie`: the CNI plugin a container runtime executes per pod (ADD/DEL/CHECK/STATUS/GC/VERSION).
import { cmdAdd, cmdCheck, cmdDel, cmdGc, cmdStatus } from './plugin';
import { main } from './run';

void main({ ADD: cmdAdd, DEL: cmdDel, CHECK: cmdCheck, STATUS: cmdStatus, GC: cmdGc });
