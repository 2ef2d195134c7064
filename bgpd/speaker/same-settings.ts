// Whether two peer settings are the same, for updatePeer: a session is reset only when they differ.
// Comparing JSON text made key order count, so a peer rebuilt with its optional keys spread in another
// order (the agent builds SpeakerPeers from several sources) reset an unchanged session.

/**
 * Deep equality of plain data (objects, arrays, primitives). Object key order does not matter; array
 * order does (policy lists apply in order). A key set to undefined equals a missing key, as it did in
 * the JSON comparison this replaces.
 */
export function sameSettings(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameSettings(x, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const defined = (r: Record<string, unknown>): string[] => Object.keys(r).filter((k) => r[k] !== undefined);
  const ka = defined(ra);
  return ka.length === defined(rb).length && ka.every((k) => sameSettings(ra[k], rb[k]));
}
