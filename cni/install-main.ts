// `tortie-install` (dist/tortie-install): the install-cni init container's program (cni/install.ts).
import { main } from './install';

process.exitCode = main(process.argv.slice(2), process.env);
