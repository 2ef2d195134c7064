import { describe, expect, it } from 'vitest';
import { CniError } from './errors';
import { parseNetconf } from './netconf';

function errorOf(conf: Record<string, unknown>): CniError {
  try {
    parseNetconf(JSON.stringify(conf));
  } catch (err) {
    expect(err).toBeInstanceOf(CniError);
    return err as CniError;
  }
  throw new Error('parseNetconf accepted it');
}

describe('parseNetconf: network name', () => {
  const base = { cniVersion: '1.0.0', type: 'tortie' };

  it.each([['absent', {}], ['null', { name: null }], ['empty', { name: '' }]])('%s name → code 7 "name is missing"', (_what, extra) => {
    const e = errorOf({ ...base, ...extra });
    expect(e.code).toBe(7);
    expect(e.message).toBe('name is missing');
  });

  it('a name that is not a valid identifier → code 7 naming the value', () => {
    expect(errorOf({ ...base, name: 'bad name!' })).toMatchObject({ code: 7, message: 'invalid network name "bad name!"' });
    expect(errorOf({ ...base, name: 5 })).toMatchObject({ code: 7, message: 'invalid network name 5' });
  });

  it('a valid name is kept', () => {
    expect(parseNetconf(JSON.stringify({ ...base, name: 'k8s-pod-network' })).name).toBe('k8s-pod-network');
  });
});
