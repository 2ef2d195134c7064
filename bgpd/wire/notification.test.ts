import { describe, it, expect } from 'vitest';
import { ErrCode, ErrorAction, MsgType } from './types';
import type { NotificationMessage, RouteRefreshMessage } from './types';
import { encodeMessage } from './message';
import { decodeShutdownCommunication, encodeShutdownCommunication, hardResetNotification, shutdownNotification, unwrapHardReset } from './notification';
import { notificationName } from './codes';
import { EBGP4, decode, hex, message } from './testkit';

const MARKER = 'ffffffffffffffffffffffffffffffff';

describe('NOTIFICATION', () => {
  it('encodes Cease / Administrative Shutdown with a shutdown communication (RFC 9003 §2)', () => {
    const b = encodeMessage(shutdownNotification('maintenance'), EBGP4);
    expect(b.toString('hex')).toBe(hex(`${MARKER} 0021 03 06 02 0b 6d61696e74656e616e6365`).toString('hex'));
  });

  it('decodes it back, text included', () => {
    const r = decode(hex(`${MARKER} 0021 03 06 02 0b 6d61696e74656e616e6365`));
    expect(r.ok).toBe(true);
    const n = r.msg as NotificationMessage;
    expect(n).toEqual({ type: MsgType.NOTIFICATION, code: 6, subcode: 2, data: Uint8Array.from(hex('0b6d61696e74656e616e6365')) });
    expect(decodeShutdownCommunication(n)).toEqual({ ok: true, text: 'maintenance', trailing: new Uint8Array(0) });
  });

  it('allows messages longer than the old 128-byte limit, up to 255 (RFC 9003)', () => {
    const text = 'x'.repeat(200);
    const n = shutdownNotification(text, true);
    expect(n.subcode).toBe(4);
    expect(decodeShutdownCommunication(n)).toMatchObject({ ok: true, text });
  });

  it('cuts text above 255 bytes at a character boundary', () => {
    const data = encodeShutdownCommunication('é'.repeat(200)); // 400 bytes of UTF-8
    expect(data[0]).toBe(254);
    const r = decodeShutdownCommunication({ type: MsgType.NOTIFICATION, code: 6, subcode: 2, data });
    expect(r).toMatchObject({ ok: true, text: 'é'.repeat(127) });
  });

  it('reports a length beyond the data and invalid UTF-8, without failing the message', () => {
    const n = (data: string): NotificationMessage => ({ type: MsgType.NOTIFICATION, code: 6, subcode: 2, data: hex(data) });
    expect(decodeShutdownCommunication(n('05 6869'))).toEqual({ ok: false, reason: expect.stringMatching(/exceeds/) });
    expect(decodeShutdownCommunication(n('02 c328'))).toEqual({ ok: false, reason: expect.stringMatching(/UTF-8/) });
    expect(decode(message(3, '0602 05 6869')).ok).toBe(true);
  });

  it('has no shutdown communication on other codes', () => {
    expect(decodeShutdownCommunication({ type: MsgType.NOTIFICATION, code: 4, subcode: 0, data: hex('0161') })).toBeNull();
  });

  it('Hard Reset (RFC 8538) wraps the real cause and unwraps it again', () => {
    const n = hardResetNotification({ code: ErrCode.HOLD_TIMER_EXPIRED, subcode: 0, data: new Uint8Array(0) });
    expect(encodeMessage(n, EBGP4).toString('hex')).toBe(MARKER + '0017' + '03' + '0609' + '0400');
    expect(unwrapHardReset(n)).toEqual({ code: 4, subcode: 0, data: new Uint8Array(0) });
    expect(unwrapHardReset(shutdownNotification('bye'))).toBeNull();
  });

  it('decodes unknown codes and names them for logs', () => {
    const r = decode(message(3, '09 07 aa'));
    expect(r.msg).toEqual({ type: MsgType.NOTIFICATION, code: 9, subcode: 7, data: Uint8Array.of(0xaa) });
    expect(notificationName(9, 7)).toBe('code 9 / subcode 7');
    expect(notificationName(ErrCode.UPDATE_MESSAGE, 11)).toBe('UPDATE Message Error / Malformed AS_PATH');
    expect(notificationName(ErrCode.CEASE, 0)).toBe('Cease / Unspecific');
  });
});

describe('KEEPALIVE and ROUTE-REFRESH', () => {
  it('KEEPALIVE is the bare 19-byte header', () => {
    const b = encodeMessage({ type: MsgType.KEEPALIVE }, EBGP4);
    expect(b.toString('hex')).toBe(MARKER + '001304');
    expect(decode(b).msg).toEqual({ type: MsgType.KEEPALIVE });
  });

  it('ROUTE-REFRESH for IPv6 unicast (RFC 2918 §3)', () => {
    const m: RouteRefreshMessage = { type: MsgType.ROUTE_REFRESH, afi: 2, subtype: 0, safi: 1 };
    const b = encodeMessage(m, EBGP4);
    expect(b.toString('hex')).toBe(MARKER + '001705' + '00020001');
    expect(decode(b).msg).toEqual(m);
  });

  it('enhanced route refresh BoRR / EoRR subtypes (RFC 7313 §3.2)', () => {
    expect(decode(message(5, '0001 01 01')).msg).toMatchObject({ subtype: 1 });
    expect(decode(message(5, '0001 02 01')).msg).toMatchObject({ subtype: 2 });
  });

  it('an unknown subtype decodes with a problem telling the session to ignore it', () => {
    const r = decode(message(5, '0001 07 01'));
    expect(r.ok).toBe(true);
    expect(r.action).toBe(ErrorAction.NONE);
    expect(r.problems[0].reason).toMatch(/ignore/);
  });
});

describe('RFC 9003 shutdown communication', () => {
  const cease2 = (data: Uint8Array): NotificationMessage => ({ type: MsgType.NOTIFICATION, code: 6, subcode: 2, data });

  it('round-trips UTF-8 text with a length prefix', () => {
    const data = encodeShutdownCommunication('maintenance ✓');
    expect(data[0]).toBe(data.length - 1);
    expect(decodeShutdownCommunication(cease2(data))).toMatchObject({ ok: true, text: 'maintenance ✓' });
  });

  it('truncates to 255 bytes without splitting a character', () => {
    const data = encodeShutdownCommunication('é'.repeat(200)); // 400 bytes
    expect(data[0]).toBe(254);
    expect(decodeShutdownCommunication(cease2(data))).toMatchObject({ ok: true, text: 'é'.repeat(127) });
  });

  it('rejects overrunning length and invalid UTF-8', () => {
    expect(decodeShutdownCommunication(cease2(new Uint8Array([5, 0x61])))).toMatchObject({ ok: false });
    expect(decodeShutdownCommunication(cease2(new Uint8Array([2, 0xc3, 0x28])))).toMatchObject({ ok: false });
  });
});
