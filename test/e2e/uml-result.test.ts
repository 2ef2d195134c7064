import { describe, expect, it } from 'vitest';
import { parseGuestResult } from './uml-result';

describe('parseGuestResult', () => {
  it('finds the result line among console noise, with \\r\\n line ends', () => {
    const out = 'Linux version 6.1\r\nTPG-UML booted\r\nTPG-UML check x: ok\r\n'
      + 'TPG-UML-RESULT {"checks":[{"name":"x","ok":true},{"name":"y","ok":false,"detail":"z"}],"phases":{"total":5}}\r\nTPG-UML done\r\n';
    expect(parseGuestResult(out)).toEqual({ checks: [{ name: 'x', ok: true }, { name: 'y', ok: false, detail: 'z' }], phases: { total: 5 } });
  });

  it('accepts a kernel message printed in front of the marker on the same line', () => {
    const r = parseGuestResult('br0: port 1 entered disabled stateTPG-UML-RESULT {"checks":[]}\n');
    expect(r).toEqual({ checks: [], phases: {} });
  });

  it('is undefined without a result line, with a cut-off line, or without checks', () => {
    expect(parseGuestResult('TPG-UML booted\nreboot: System halted\n')).toBeUndefined();
    expect(parseGuestResult('TPG-UML-RESULT {"checks":[{"name":"x"\n')).toBeUndefined();
    expect(parseGuestResult('TPG-UML-RESULT {"phases":{}}\n')).toBeUndefined();
  });
});
