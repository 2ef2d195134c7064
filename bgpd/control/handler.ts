// Maps control requests onto the speaker's views and actions.
import type { Speaker } from '../speaker/speaker';
import { adjRibView, neighborView, peerRow, routesView, statusView } from '../speaker/views';
import type { PeerRuntime } from '../speaker/peer-runtime';
import type { ControlRequest } from './protocol';
import { ControlError } from './server';
import type { ControlHandler } from './server';

export interface HandlerDeps {
  speaker: Speaker;
  identity: () => { routerId: string; asNumber: number };
  /** Re-read the config file and apply it; resolves with a summary for the operator. */
  reload: () => Promise<unknown>;
}

function needPeer(speaker: Speaker, name: string | undefined): PeerRuntime {
  if (!name) throw new ControlError('a peer name or address is required');
  const rt = speaker.peer(name);
  if (!rt) {
    const known = speaker.peers().map((p) => p.name).join(', ') || 'none configured';
    throw new ControlError(`no such peer: ${name} (peers: ${known})`);
  }
  return rt;
}

export function controlHandler(deps: HandlerDeps): ControlHandler {
  const { speaker } = deps;
  return async (req: ControlRequest) => {
    switch (req.cmd) {
      case 'show peers': {
        const now = Date.now();
        return speaker.peers().map((rt) => peerRow(speaker, rt, now));
      }
      case 'show neighbor':
        return neighborView(speaker, needPeer(speaker, req.peer));
      case 'show routes':
        try {
          return await routesView(speaker, { ...(req.prefix ? { prefix: req.prefix } : {}), ...(req.family ? { family: req.family } : {}) });
        } catch (err) {
          // prefixKey() rejects text that is not a prefix: the operator's typo, not a daemon bug
          if (req.prefix && err instanceof Error && /bad prefix/.test(err.message)) throw new ControlError(`not a prefix or address: ${req.prefix}`);
          throw err;
        }
      case 'show rib': {
        if (req.direction !== 'in' && req.direction !== 'out') throw new ControlError('show rib: direction must be in or out');
        return adjRibView(speaker, needPeer(speaker, req.peer), req.direction, req.family);
      }
      case 'clear neighbor': {
        const targets = req.peer === 'all' ? speaker.peers() : [needPeer(speaker, req.peer)];
        const done: string[] = [];
        for (const rt of targets) {
          if (req.soft) {
            if (rt.softClear()) done.push(rt.name);
          } else {
            rt.hardClear();
            done.push(rt.name);
          }
        }
        if (req.soft && done.length === 0) throw new ControlError('soft clear: no Established session to refresh');
        return { cleared: done, soft: req.soft };
      }
      case 'reload':
        return deps.reload();
      case 'status':
        return statusView(speaker, deps.identity());
      default:
        throw new ControlError(`unknown command: ${(req as { cmd: string }).cmd}`);
    }
  };
}
