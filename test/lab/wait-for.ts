export interface WaitForOptions {
  /** Give up after this long. Default 10 s. */
  readonly timeoutMs?: number;
  /** Pause between polls. Default 100 ms. */
  readonly intervalMs?: number;
  /** Human description used in the timeout message, e.g. "BIRD session to 198.18.0.2 Established". */
  readonly what: string;
  /**
   * Checked before each poll; a returned string means the condition can never hold (e.g. the
   * daemon exited) and fails the wait at once with that reason instead of at the timeout.
   */
  readonly abortIf?: () => string | undefined;
}

/** Thrown when a condition did not hold in time; names the condition and the last value seen. */
export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastValue: unknown,
    readonly lastError: unknown,
  ) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${what}; last observed: ${describe(lastValue)}` +
        (lastError === undefined ? '' : `; last error: ${errorText(lastError)}`),
    );
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls `fn` until it returns a truthy value and resolves with that value. Errors thrown by `fn`
 * count as "not yet" (daemons refuse CLI connections while starting), but the last one is kept
 * for the timeout message so a test failure shows why the condition never held.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitForOptions): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastValue: unknown = '(never evaluated)';
  let lastError: unknown = undefined;
  for (;;) {
    const reason = opts.abortIf?.();
    if (reason !== undefined) throw new Error(`gave up waiting for ${opts.what}: ${reason}`);
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      lastValue = v;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(opts.what, timeoutMs, lastValue, lastError);
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 500 ? v.slice(0, 500) + '…' : v);
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return String(v);
    return s.length > 500 ? s.slice(0, 500) + '…' : s;
  } catch {
    return String(v);
  }
}

function errorText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.length > 500 ? s.slice(0, 500) + '…' : s;
}
