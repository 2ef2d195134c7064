// BIRD-style one-line description of a NOTIFICATION for logs, counters and `show neighbor`
// ("Hold timer expired", "Cease/Administrative shutdown: maintenance"). Built on the RFC names in
// codes.ts so there is one table of names; BIRD prints them in sentence case, operators grep for that.
import { ErrCode, MsgType } from './types';
import { errorCodeName, errorSubcodeName } from './codes';
import { decodeShutdownCommunication } from './notification';

// "Bad Peer AS" → "Bad peer AS": lower-case plain capitalised words, keep acronyms (AS_PATH, OPEN)
// and state names (OpenSent) as they are.
function sentenceCase(name: string): string {
  return name
    .split(' ')
    .map((w, i) => (i > 0 && /^[A-Z][a-z]+(?:-[a-z]+)*$/.test(w) ? w[0]!.toLowerCase() + w.slice(1) : w))
    .join(' ');
}

/**
 * "Hold timer expired", "OPEN message error/Bad peer AS", "Cease/Administrative shutdown: maintenance".
 * A shutdown communication (RFC 9003) is appended only when it is well-formed, non-empty UTF-8.
 */
export function describeNotification(code: number, subcode: number, data?: Uint8Array): string {
  const codeName = errorCodeName(code);
  let text = codeName !== undefined ? sentenceCase(codeName) : `error ${code}`;
  if (subcode !== 0 || codeName === undefined) {
    const subName = errorSubcodeName(code, subcode);
    text += `/${subName !== undefined ? sentenceCase(subName) : `subcode ${subcode}`}`;
  }
  if (code === ErrCode.CEASE && data && data.length > 0) {
    const sc = decodeShutdownCommunication({ type: MsgType.NOTIFICATION, code, subcode, data });
    if (sc?.ok && sc.text !== '') text += `: ${sc.text}`;
  }
  return text;
}
