// Fakes of the speaker and the route programmer that record what the agent asks of them.
import type { LocalBlock, RemoteRoute } from '../../dataplane/programmer/types';
import type { BestChange } from '../rib/types';
import type { SpeakerIdentity, SpeakerPeer } from '../speaker/peer-map';
import type { OriginAttributes } from '../speaker/speaker';
import type { AgentProgrammer, AgentSpeaker } from './types';

export class FakeSpeaker implements AgentSpeaker {
  readonly peers = new Map<string, SpeakerPeer>();
  readonly originated = new Set<string>();
  /** Attributes of the last originate() that gave any, per prefix. */
  readonly originAttrs = new Map<string, OriginAttributes>();
  readonly calls: string[] = [];
  private cb: ((c: BestChange[]) => void) | undefined;

  addPeer(peer: SpeakerPeer): void {
    if (this.peers.has(peer.name)) throw new Error(`peer ${peer.name} already exists`);
    this.peers.set(peer.name, peer);
    this.calls.push(`add ${peer.name}`);
  }

  async removePeer(name: string): Promise<boolean> {
    this.calls.push(`remove ${name}`);
    return this.peers.delete(name);
  }

  originate(prefix: string, _source?: string, attrs?: OriginAttributes): void {
    this.originated.add(prefix);
    if (attrs) this.originAttrs.set(prefix, attrs);
    this.calls.push(`originate ${prefix}`);
  }

  withdraw(prefix: string, _source?: string): void {
    this.originated.delete(prefix);
    this.originAttrs.delete(prefix);
    this.calls.push(`withdraw ${prefix}`);
  }

  originatedPrefixes(): string[] {
    return [...this.originated];
  }

  onBestChange(cb: (changes: BestChange[]) => void): void {
    this.cb = cb;
  }

  get bestSubscribed(): boolean {
    return this.cb !== undefined;
  }

  emit(changes: BestChange[]): void {
    this.cb?.(changes);
  }
}

export class FakeProgrammer implements AgentProgrammer {
  readonly remotes = new Map<string, RemoteRoute>();
  readonly locals = new Set<string>();

  setRemote(route: RemoteRoute): void {
    this.remotes.set(route.prefix, route);
  }

  removeRemote(prefix: string): void {
    this.remotes.delete(prefix);
  }

  setLocalBlock(block: LocalBlock): void {
    this.locals.add(block.prefix);
  }

  removeLocalBlock(prefix: string): void {
    this.locals.delete(prefix);
  }
}

export const identity = (over: Partial<SpeakerIdentity> = {}): SpeakerIdentity => ({
  asNumber: 64512,
  routerId: '198.18.1.1',
  nodeToNodeMesh: true,
  timers: { holdTime: 9, keepaliveTime: 3, connectRetryTime: 1 },
  gracefulRestart: { enabled: true, restartTime: 120 },
  ...over,
});
