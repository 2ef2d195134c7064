import { describe, it, expect } from 'vitest';
import { Speaker } from '../speaker/speaker';
import { controlHandler } from './handler';
import { ControlError } from './server';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const speaker = new Speaker({
  config: { asNumber: 65001, routerId: '10.0.0.1', nodeToNodeMesh: false, timers: { holdTime: 90, keepaliveTime: 30, connectRetryTime: 5 }, gracefulRestart: { enabled: true, restartTime: 120 }, multipath: { maxPaths: 1 }, policies: [] },
  logger: silent,
});
const handle = controlHandler({ speaker, identity: () => ({ routerId: '10.0.0.1', asNumber: 65001 }), reload: async () => ({ added: [] }) });

describe('control handler', () => {
  it('operator mistakes are ControlErrors with a helpful text', async () => {
    await expect(handle({ id: 1, cmd: 'show neighbor', peer: 'x' })).rejects.toThrow(ControlError);
    await expect(handle({ id: 1, cmd: 'show neighbor', peer: 'x' })).rejects.toThrow('no such peer: x (peers: none configured)');
    await expect(handle({ id: 1, cmd: 'show routes', prefix: 'garbage' })).rejects.toThrow(ControlError);
    await expect(handle({ id: 1, cmd: 'clear neighbor', peer: 'all', soft: true })).rejects.toThrow(/no Established session/);
    await expect(handle({ id: 1, cmd: 'nope' } as never)).rejects.toThrow('unknown command: nope');
  });

  it('answers show peers, status and routes', async () => {
    speaker.originate('10.5.0.0/24');
    await speaker.rib.drain();
    expect(await handle({ id: 1, cmd: 'show peers' })).toEqual([]);
    expect(await handle({ id: 1, cmd: 'status' })).toMatchObject({ routerId: '10.0.0.1', asNumber: 65001, peers: 0, restarting: false });
    expect(await handle({ id: 1, cmd: 'show routes', prefix: '10.5.0.9' })).toMatchObject([{ prefix: '10.5.0.0/24', paths: [{ from: 'local', best: true }] }]);
    expect(await handle({ id: 1, cmd: 'reload' })).toEqual({ added: [] });
  });
});
