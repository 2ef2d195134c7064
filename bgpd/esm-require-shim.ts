// dist/bgpd is an extensionless CommonJS bundle (scripts/build.mjs). Inside this repository the nearest
// package.json says "type": "module", so Node 20 loads it as ESM, where the bundle's require() calls
// for node: builtins throw "require is not defined". Until dist/ is marked CommonJS (a
// {"type":"commonjs"} dist/package.json), give the bundle a require before it loads anything that
// needs one. A no-op under real CommonJS and harmless under tsx. Runs on import: main.ts imports it
// first, so it precedes every bundled module's require().
function ensureRequire(): void {
  const g = globalThis as { require?: unknown };
  if (typeof require !== 'undefined' || g.require !== undefined) return;
  // process.getBuiltinModule needs Node ≥ 20.16; older 20.x keeps the original failure
  const mod = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:module') : undefined;
  if (mod) g.require = mod.createRequire(process.argv[1] ?? `${process.cwd()}/`);
}

ensureRequire();
