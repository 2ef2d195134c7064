// The esbuild options every tortie executable is bundled with (scripts/build.mjs), shared with the tests
// that bundle an entry point the same way (test/bundle.ts), so both keep the same externals and format.
// Native or data-carrying packages stay external and are resolved from node_modules at run time: koffi
// (FFI binary in a platform package), etcd3 (loads .proto files), client-node (loaded lazily, ~72 MB).
export const BUNDLE_BASE = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // CommonJS so an extensionless file copied to /opt/cni/bin (no package.json beside it) still runs.
  format: 'cjs',
  external: ['koffi', 'etcd3', '@kubernetes/client-node'],
};
