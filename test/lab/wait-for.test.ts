import { describe, it, expect } from 'vitest';
import { waitFor, WaitTimeoutError } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let n = 0;
    const v = await waitFor(() => (++n >= 3 ? { n } : undefined), { what: 'n to reach 3', intervalMs: 1 });
    expect(v).toEqual({ n: 3 });
  });

  it('treats thrown errors as "not yet"', async () => {
    let n = 0;
    const v = await waitFor(
      () => {
        if (++n < 3) throw new Error('not listening');
        return 'up';
      },
      { what: 'socket', intervalMs: 1 },
    );
    expect(v).toBe('up');
  });

  it('times out naming what it waited for, the last value and the last error', async () => {
    const e2 = await waitFor(() => false, { what: 'session to 198.18.0.2 Established', timeoutMs: 30, intervalMs: 5 }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(WaitTimeoutError);
    expect((e2 as Error).message).toMatch(/timed out after 30 ms waiting for session to 198\.18\.0\.2 Established; last observed: false/);
    const e3 = await waitFor(
      () => {
        throw new Error('connection refused');
      },
      { what: 'api', timeoutMs: 20, intervalMs: 5 },
    ).catch((e: unknown) => e);
    expect((e3 as Error).message).toContain('last error: connection refused');
  });

  it('does not overshoot the deadline by a whole interval', async () => {
    const t0 = Date.now();
    await waitFor(() => 0, { what: 'never', timeoutMs: 50, intervalMs: 1000 }).catch(() => {});
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('gives up at once when abortIf names a reason', async () => {
    let polls = 0;
    const t0 = Date.now();
    const err = (await waitFor(
      () => {
        polls++;
        return false;
      },
      { what: 'bird control socket', timeoutMs: 5000, intervalMs: 5, abortIf: () => (polls >= 2 ? 'bird exited with code 1' : undefined) },
    ).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('gave up waiting for bird control socket: bird exited with code 1');
    expect(polls).toBe(2);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
