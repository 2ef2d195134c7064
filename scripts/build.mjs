// Bundles each executable into one file under dist/ with a node shebang (esbuild).
// Native or data-carrying packages stay external and are resolved from node_modules at run time:
// koffi (FFI binary in a platform package) and etcd3 (loads .proto files). The CNI plugins import
// neither unless the netconf asks for them (etcd is loaded lazily).
import { build } from 'esbuild';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';

const entries = {
  bgpd: 'bgpd/main.ts',
  bgpctl: 'bgpd/bgpctl/main.ts',
  tortie: 'cni/main.ts',
  'tortie-ipam': 'cni/ipam-main.ts',
  'tortie-install': 'cni/install-main.ts',
  // The CNI executables above are stubs that run these through a V8 code cache (cni/boot.ts);
  // install each beside its stub.
  'tortie.impl.js': 'cni/tortie-impl.ts',
  'tortie-ipam.impl.js': 'cni/ipam-impl.ts',
};
mkdirSync('dist', { recursive: true });
// The repo's package.json says "type": "module"; without this marker Node would load the extensionless
// CommonJS bundles under dist/ as ESM. Copies in /opt/cni/bin have no package.json above them: CommonJS.
writeFileSync('dist/package.json', '{"type":"commonjs"}\n');
const t0 = Date.now();
await Promise.all(Object.entries(entries).map(async ([name, entry]) => {
  const outfile = `dist/${name}`;
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // CommonJS so an extensionless file copied to /opt/cni/bin (no package.json beside it) still runs.
    format: 'cjs',
    sourcemap: 'linked',
    legalComments: 'none',
    external: ['koffi', 'etcd3', '@kubernetes/client-node'],
    // The CNI implementation bundles are compiled by their stub (cni/boot.ts), never executed directly:
    // no shebang, and whitespace/syntax minified (names kept: errors are matched by class name), as
    // every byte of source is read and hashed on each pod start (~0.5 ms of CPU less per ADD).
    ...(name.endsWith('.impl.js') ? { minifyWhitespace: true, minifySyntax: true } : { banner: { js: '#!/usr/bin/env node' } }),
    logLevel: 'warning',
  });
  chmodSync(outfile, name.endsWith('.impl.js') ? 0o644 : 0o755);
}));
console.log(`built ${Object.keys(entries).map((n) => 'dist/' + n).join(' ')} in ${Date.now() - t0} ms`);
