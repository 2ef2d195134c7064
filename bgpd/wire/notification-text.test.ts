import { describe, it, expect } from 'vitest';
import { describeNotification } from './notification-text';
import { encodeShutdownCommunication } from './notification';

describe('describeNotification', () => {
  it('names codes, subcodes and shutdown texts', () => {
    expect(describeNotification(4, 0)).toBe('Hold timer expired');
    expect(describeNotification(2, 2)).toBe('OPEN message error/Bad peer AS');
    expect(describeNotification(6, 2, encodeShutdownCommunication('maintenance'))).toBe(
      'Cease/Administrative shutdown: maintenance',
    );
    expect(describeNotification(6, 99)).toBe('Cease/subcode 99');
    expect(describeNotification(42, 1)).toBe('error 42/subcode 1');
  });

  it('keeps acronyms and state names, lower-cases the rest (BIRD style)', () => {
    expect(describeNotification(3, 11)).toBe('UPDATE message error/Malformed AS_PATH');
    expect(describeNotification(6, 3)).toBe('Cease/Peer de-configured');
    expect(describeNotification(5, 1)).toBe('Finite state machine error/Unexpected message in OpenSent state');
    expect(describeNotification(8, 0)).toBe('Send hold timer expired');
  });

  it('leaves out a malformed or empty shutdown communication and data of other subcodes', () => {
    expect(describeNotification(6, 2, new Uint8Array([5, 0x61]))).toBe('Cease/Administrative shutdown');
    expect(describeNotification(6, 4, new Uint8Array([0]))).toBe('Cease/Administrative reset');
    expect(describeNotification(6, 1, encodeShutdownCommunication('x'))).toBe('Cease/Maximum number of prefixes reached');
  });
});
