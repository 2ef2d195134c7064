// The part every launcher shares: one daemon of a kind per host with its private directory, the
// spawn that claims the host slot, a readiness wait whose failure carries the daemon's log (the
// only clue when a config is rejected), and logs/stop/established over the main process.
import type { LabHost } from '../lab-host';
import type { LabProcess, SpawnOptions } from '../lab-process';
import { waitFor } from '../wait-for';
import { assertSlotFree, takeSlot } from './host-slot';
import type { BgpDaemon, SpeakerSpec } from './types';

type Kind = BgpDaemon['kind'];

/** Checks that `kind` is not running in `host` yet and returns its private directory. */
export function daemonDir(host: LabHost, kind: Kind): string {
  assertSlotFree(host, kind);
  return host.dir(kind);
}

/** Spawns the daemon's main process in `host` and records it as the host's `kind`. */
export function spawnDaemon(host: LabHost, kind: Kind, name: string, cmd: string, args: readonly string[], opts?: SpawnOptions): LabProcess {
  const proc = host.spawn(name, cmd, args, opts);
  takeSlot(host, kind, proc);
  return proc;
}

/**
 * Waits until `proc` runs and `ready()` holds; gives up at once when it exits. The error ends with
 * the process log, labelled `logName` ("bird", "bgpd").
 */
export async function awaitReady(
  proc: LabProcess,
  logName: string,
  what: string,
  ready: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(async () => proc.running && (await ready()), { what, timeoutMs, abortIf: () => proc.exitReason() }).catch(
    (err: unknown) => {
      throw new Error(`${(err as Error).message}\n--- ${logName} log:\n${proc.logs()}`);
    },
  );
}

/** Base of the launchers' daemon classes: `established` compares `state()` with the daemon's word for it. */
export abstract class LabDaemon implements Pick<BgpDaemon, 'host' | 'process' | 'dir' | 'established' | 'logs' | 'stop'> {
  protected abstract readonly establishedState: string;

  protected constructor(
    readonly host: LabHost,
    readonly spec: SpeakerSpec,
    readonly dir: string,
    readonly process: LabProcess,
  ) {}

  abstract state(peer: string): Promise<string | undefined>;

  async established(peer: string): Promise<boolean> {
    return (await this.state(peer)) === this.establishedState;
  }

  logs(): string {
    return this.process.logs();
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
