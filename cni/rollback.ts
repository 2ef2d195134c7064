// Undo actions recorded as ADD makes progress; on failure they run newest first, and each one's own
// failure is logged rather than hiding the error that caused the rollback.
import type { Logger } from './log';

export class Rollback {
  private readonly undo: { what: string; fn: () => void | Promise<void> }[] = [];

  push(what: string, fn: () => void | Promise<void>): void {
    this.undo.push({ what, fn });
  }

  async run(log: Logger): Promise<void> {
    while (this.undo.length) {
      const u = this.undo.pop()!;
      try {
        await u.fn();
        log.info(`rollback: ${u.what}`);
      } catch (err) {
        log.error(`rollback: ${u.what} failed: ${(err as Error).message}`);
      }
    }
  }
}
