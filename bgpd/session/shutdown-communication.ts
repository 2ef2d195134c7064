// RFC 9003 shutdown communication: the data of a Cease/Administrative Shutdown or Reset NOTIFICATION is
// one length octet followed by up to 255 octets of UTF-8 text.

const MAX_BYTES = 255;

/** Encodes `text`, truncated on a character boundary to 255 UTF-8 bytes; empty text gives no data. */
export function encodeShutdownCommunication(text: string): Uint8Array {
  if (text.length === 0) return new Uint8Array(0);
  let bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_BYTES) {
    let end = MAX_BYTES;
    // Never cut a multi-byte character in half: back up over continuation bytes (10xxxxxx).
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
    bytes = bytes.subarray(0, end);
  }
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

/**
 * Returns the text, or undefined when the data is not a well-formed communication (length byte
 * overrunning the data, or invalid UTF-8). RFC 9003 §4: such data must not be shown as text.
 */
export function decodeShutdownCommunication(data: Uint8Array): string | undefined {
  if (data.length === 0) return undefined;
  const len = data[0]!;
  if (len === 0 || 1 + len > data.length) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1, 1 + len));
  } catch {
    return undefined;
  }
}
