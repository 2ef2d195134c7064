// `tortie-install` (dist/tortie-install): the install-cni init container's program (cni/install.ts).
import { main } from './install';

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  // main reports what it expects itself; this is for a bug: one line saying what, not a raw stack
  (err: unknown) => {
    process.stderr.write(`tortie-install: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
