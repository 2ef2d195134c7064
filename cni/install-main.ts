// `tortie-install` (dist/tortie-install): the install-cni init container's program (cni/install.ts).
import { main } from './install';

void main(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code;
});
