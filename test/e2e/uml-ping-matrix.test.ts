import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pingScript, reachedTargets } from './uml-ping-matrix';

describe('batched ping matrix', () => {
  it('reads only well-formed "ok <ip>" lines as reached', () => {
    expect([...reachedTargets('ok 10.0.0.1\nfail 10.0.0.2\n  ok 10.0.0.3 \nok\nnot ok 10.0.0.4\n')]).toEqual(['10.0.0.1', '10.0.0.3']);
  });

  it('the script retries once and reports every target (run with a fake busybox on PATH)', () => {
    // fake busybox (args: ping -c 1 -W 2 <ip>): .1 answers, .2 only on the second try, .3 never
    const dir = mkdtempSync(join(tmpdir(), 'tpgu-'));
    const fake = `busybox() { f="${dir}/$6"; n=$(cat "$f" 2>/dev/null || echo 0); echo $((n+1)) > "$f";
      case $6 in 10.0.0.1) return 0;; 10.0.0.2) [ "$n" -ge 1 ];; *) return 1;; esac; }`;
    let out: string;
    try {
      out = execFileSync('sh', ['-c', `${fake}\n${pingScript(['10.0.0.1', '10.0.0.2', '10.0.0.3'])}`], { encoding: 'utf8' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(out.trim().split('\n')).toEqual(['ok 10.0.0.1', 'ok 10.0.0.2', 'fail 10.0.0.3']);
    expect([...reachedTargets(out)]).toEqual(['10.0.0.1', '10.0.0.2']);
  });
});
