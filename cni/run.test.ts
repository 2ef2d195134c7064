import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeStdout } from './run';

const dir = mkdtempSync(join(tmpdir(), 't1-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeStdout', () => {
  it('writes the whole buffer to the fd and says so', () => {
    const file = join(dir, 'out');
    const fd = openSync(file, 'w');
    const big = Buffer.from('{"x":"' + 'a'.repeat(300_000) + '"}\n');
    try {
      expect(writeStdout(big, fd)).toBe(big.length);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file).equals(big)).toBe(true);
  });

  it('delivers more than a pipe buffer to a reader that is slower than us', () => {
    // The writer fills the 64 KiB pipe long before `sleep` lets `cat` start reading: the write blocks, it does not fail or truncate.
    const script = `const { writeStdout } = require(${JSON.stringify(join(dir, 'run.cjs'))}); const b = Buffer.alloc(200000, 120); process.exitCode = writeStdout(b) === b.length ? 0 : 3;`;
    const b = spawnSync('npx', ['esbuild', join(import.meta.dirname, 'run.ts'), '--bundle', '--platform=node', '--format=cjs', `--outfile=${join(dir, 'run.cjs')}`, '--log-level=warning'], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `node -e '${script}' | (sleep 0.3; wc -c)`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('200000');
  });
});
