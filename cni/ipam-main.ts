// `tortie-ipam` (dist/tortie-ipam): a stub that runs dist/tortie-ipam.impl.js (cni/ipam-impl.ts)
// through a V8 code cache (boot.ts).
import { join } from 'node:path';
import { bootFromCache } from './boot';

bootFromCache(join(__dirname, 'tortie-ipam.impl.js'));
