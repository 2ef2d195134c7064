// The line a UML guest prints for its host-side test: "TPG-UML-RESULT {json}" (the same marker as
// dataplane/programmer/uml/ipip-guest.ts), found among kernel and daemon messages on the console.
export const RESULT_MARKER = 'TPG-UML-RESULT ';

export interface GuestCheck {
  name: string;
  ok: boolean;
  /** Only on failures: what was seen instead. */
  detail?: string;
}

export interface GuestResult {
  checks: GuestCheck[];
  /** Wall milliseconds per guest phase (cluster build, ping matrix, destroy, total). */
  phases: Record<string, number>;
}

/** The guest's result, or undefined when the console has no (parseable) result line. */
export function parseGuestResult(output: string): GuestResult | undefined {
  // the console can end lines with \r\n, and a kernel message can land in front of the marker
  const line = output.split(/\r?\n/).find((l) => l.includes(RESULT_MARKER));
  if (!line) return undefined;
  try {
    const v = JSON.parse(line.slice(line.indexOf(RESULT_MARKER) + RESULT_MARKER.length)) as Partial<GuestResult>;
    if (!Array.isArray(v.checks)) return undefined;
    return { checks: v.checks, phases: v.phases ?? {} };
  } catch {
    return undefined;
  }
}
