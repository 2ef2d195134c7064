import { describe, it, expect } from 'vitest';
import { decodeShutdownCommunication, encodeShutdownCommunication } from './shutdown-communication';
import { describeNotification } from './notification-codes';

describe('RFC 9003 shutdown communication', () => {
  it('round-trips UTF-8 text with a length prefix', () => {
    const data = encodeShutdownCommunication('maintenance ✓');
    expect(data[0]).toBe(data.length - 1);
    expect(decodeShutdownCommunication(data)).toBe('maintenance ✓');
  });

  it('truncates to 255 bytes without splitting a character', () => {
    const data = encodeShutdownCommunication('é'.repeat(200)); // 400 bytes
    expect(data[0]).toBe(254);
    expect(decodeShutdownCommunication(data)).toBe('é'.repeat(127));
  });

  it('rejects overrunning length and invalid UTF-8', () => {
    expect(decodeShutdownCommunication(new Uint8Array([5, 0x61]))).toBeUndefined();
    expect(decodeShutdownCommunication(new Uint8Array([2, 0xc3, 0x28]))).toBeUndefined();
    expect(encodeShutdownCommunication('')).toHaveLength(0);
  });
});

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
});
