// Bounded compare-and-swap retries with jittered exponential backoff. Contended writers (parallel CNI
// ADDs on one node all want the same block) would otherwise retry in lockstep and keep colliding.
import { TooManyRetriesError } from './errors';

export const DEFAULT_RETRIES = 100;

/** Thrown inside a retried body to ask for another attempt (a lost CAS). */
export class Conflict extends Error {
  constructor(readonly what: string) {
    super(`conflict on ${what}`);
  }
}

export async function withRetries<T>(operation: string, body: (attempt: number) => Promise<T>, retries = DEFAULT_RETRIES): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await body(attempt);
    } catch (err) {
      if (!(err instanceof Conflict)) throw err;
      if (attempt + 1 >= retries) throw new TooManyRetriesError(operation, retries);
      const cap = Math.min(50, 2 ** Math.min(attempt, 6));
      await new Promise((r) => setTimeout(r, Math.random() * cap));
    }
  }
}
