// `tortie` (dist/tortie): a stub that runs dist/tortie.impl.js (cni/tortie-impl.ts) through a V8 code
// cache (boot.ts). The dist/ layout is: tortie + tortie.impl.js side by side (symlinks to tortie work).
import { join } from 'node:path';
import { bootFromCache } from './boot';

bootFromCache(join(__dirname, 'tortie.impl.js'));
