// Removes leftovers of dead lab runs by hand (the next Lab.create does the same per prefix):
//   npx tsx test/lab/sweep.ts tl tbs ...     (default: every prefix that has a state file or netns)
import { Lab } from './lab';
import { listNetnsSync } from './netns-list';
import { STATE_DIR } from './run-state';
import * as fs from 'node:fs';

function knownPrefixes(): string[] {
  const names = [...listNetnsSync(), ...(fs.existsSync(STATE_DIR) ? fs.readdirSync(STATE_DIR) : [])];
  // a run id is prefix + 4 chars; names are "<run>-<host>" or "<run>.json"
  const prefixes = names.map((n) => /^([a-z][a-z0-9]{0,3})[0-9a-z]{4}(?:-|\.json$)/.exec(n)?.[1]).filter((p): p is string => !!p);
  return [...new Set(prefixes)];
}

const prefixes = process.argv.length > 2 ? process.argv.slice(2) : knownPrefixes();
for (const p of prefixes) {
  const removed = Lab.removeLeftovers(p);
  console.log(`${p}: ${removed.length === 0 ? 'nothing dead to remove' : `removed ${removed.join(' ')}`}`);
}
