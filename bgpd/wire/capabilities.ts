// OPEN capabilities (RFC 5492) <-> the Capabilities model. Known capabilities with a bad length are
// ignored with a problem (not a session reset), as FRR and BIRD do: a peer's optional feature
// being garbled is no reason to refuse the session, and the CVE list (bgp.md §6.2) shows that
// trusting capability lengths is where parsers overrun.
import { Afi, CapabilityCode, ErrorAction, Safi } from './types';
import type { Capabilities, GracefulRestartCap, WireProblem } from './types';
import { problem } from './problems';

/** Capability codes we recognise only to validate and keep raw. */
const enum RawCap {
  ROLE = 9,
  ADD_PATH = 69,
  LLGR = 71,
  FQDN = 73,
  SOFTWARE_VERSION = 75,
}

export function emptyCapabilities(): Capabilities {
  return {
    multiprotocol: [],
    routeRefresh: false,
    enhancedRouteRefresh: false,
    extendedMessage: false,
    extendedNextHop: [],
    unknown: [],
  };
}

function knownFamily(afi: number, safi: number): boolean {
  return (afi === Afi.IPv4 || afi === Afi.IPv6) && safi === Safi.Unicast;
}

/** Structure checks for capabilities we keep raw; returns a reason when malformed. */
function rawCapError(code: number, v: Uint8Array): string | null {
  switch (code) {
    case RawCap.ROLE:
      return v.length === 1 ? null : `role capability length ${v.length} (want 1)`;
    case RawCap.ADD_PATH:
      if (v.length === 0 || v.length % 4 !== 0) return `add-path capability length ${v.length} (want 4n)`;
      for (let i = 3; i < v.length; i += 4) {
        if (v[i] < 1 || v[i] > 3) return `add-path send/receive value ${v[i]}`;
      }
      return null;
    case RawCap.LLGR:
      return v.length % 7 === 0 ? null : `long-lived GR capability length ${v.length} (want 7n)`;
    case RawCap.FQDN: {
      if (v.length < 1) return 'FQDN capability empty';
      const h = v[0];
      if (1 + h + 1 > v.length) return 'FQDN hostname overruns the capability';
      const d = v[1 + h];
      if (2 + h + d !== v.length) return 'FQDN domain length does not match the capability';
      return null;
    }
    case RawCap.SOFTWARE_VERSION:
      if (v.length < 1 || 1 + v[0] !== v.length) return 'software-version length does not match the capability';
      return null;
    default:
      return null;
  }
}

/**
 * Decode the capability TLVs in b[start..end) into `caps`. Returns a reason string when a TLV
 * overruns the parameter (an OPEN error), else null; per-capability trouble goes to `problems`.
 */
export function decodeCapabilities(
  b: Uint8Array,
  start: number,
  end: number,
  caps: Capabilities,
  problems: WireProblem[],
): string | null {
  let i = start;
  while (i < end) {
    if (i + 2 > end) return 'capability header truncated';
    const code = b[i];
    const len = b[i + 1];
    const vs = i + 2;
    const ve = vs + len;
    if (ve > end) return `capability ${code} length ${len} overruns the parameter`;
    const v = b.subarray(vs, ve);
    const bad = (reason: string): void => {
      problems.push(problem(ErrorAction.NONE, `${reason}; capability ignored`, b, code, i, ve));
    };
    switch (code) {
      case CapabilityCode.MULTIPROTOCOL: {
        if (len !== 4) {
          bad(`multiprotocol capability length ${len}`);
          break;
        }
        const afi = (v[0] << 8) | v[1];
        const safi = v[3];
        if (!knownFamily(afi, safi)) {
          caps.unknown.push({ code, value: Uint8Array.from(v) });
        } else if (!caps.multiprotocol.some((f) => f.afi === afi && f.safi === safi)) {
          caps.multiprotocol.push({ afi: afi as Afi, safi: safi as Safi });
        } else {
          bad(`duplicate multiprotocol capability ${afi}/${safi}`);
        }
        break;
      }
      case CapabilityCode.ROUTE_REFRESH:
      case CapabilityCode.ENHANCED_ROUTE_REFRESH:
      case CapabilityCode.EXTENDED_MESSAGE:
        if (len !== 0) {
          bad(`capability ${code} length ${len} (want 0)`);
          break;
        }
        if (code === CapabilityCode.ROUTE_REFRESH) caps.routeRefresh = true;
        else if (code === CapabilityCode.ENHANCED_ROUTE_REFRESH) caps.enhancedRouteRefresh = true;
        else caps.extendedMessage = true;
        break;
      case CapabilityCode.EXTENDED_NEXT_HOP: {
        if (len === 0 || len % 6 !== 0) {
          bad(`extended next hop capability length ${len} (want 6n)`);
          break;
        }
        for (let j = 0; j < len; j += 6) {
          const afi = (v[j] << 8) | v[j + 1];
          const safi = (v[j + 2] << 8) | v[j + 3];
          const nh = (v[j + 4] << 8) | v[j + 5];
          if (!knownFamily(afi, safi) || (nh !== Afi.IPv4 && nh !== Afi.IPv6)) {
            bad(`extended next hop for unsupported family ${afi}/${safi}/${nh}`);
            continue;
          }
          caps.extendedNextHop.push({ afi: afi as Afi, safi: safi as Safi, nextHopAfi: nh as Afi });
        }
        break;
      }
      case CapabilityCode.GRACEFUL_RESTART: {
        if (len < 2 || (len - 2) % 4 !== 0) {
          bad(`graceful restart capability length ${len} (want 2+4n)`);
          break;
        }
        if (caps.gracefulRestart) {
          bad('duplicate graceful restart capability');
          break;
        }
        const families: GracefulRestartCap['families'] = [];
        for (let j = 2; j < len; j += 4) {
          const afi = (v[j] << 8) | v[j + 1];
          const safi = v[j + 2];
          if (!knownFamily(afi, safi)) continue;
          families.push({ afi: afi as Afi, safi: safi as Safi, forwardingPreserved: (v[j + 3] & 0x80) !== 0 });
        }
        caps.gracefulRestart = {
          restartState: (v[0] & 0x80) !== 0,
          notification: (v[0] & 0x40) !== 0,
          restartTime: ((v[0] & 0x0f) << 8) | v[1],
          families,
        };
        break;
      }
      case CapabilityCode.FOUR_OCTET_AS: {
        if (len !== 4) {
          bad(`4-octet AS capability length ${len} (want 4)`);
          break;
        }
        const asn = ((v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3]) >>> 0;
        if (caps.fourOctetAs !== undefined) {
          if (caps.fourOctetAs !== asn) bad(`second 4-octet AS capability with a different AS ${asn}`);
          break;
        }
        caps.fourOctetAs = asn;
        break;
      }
      default: {
        const why = rawCapError(code, v);
        if (why) bad(why);
        else caps.unknown.push({ code, value: Uint8Array.from(v) });
      }
    }
    i = ve;
  }
  return null;
}

function tlv(out: number[], code: number, value: ArrayLike<number>): void {
  if (value.length > 255) throw new RangeError(`capability ${code} value longer than 255 bytes`);
  out.push(code, value.length);
  for (let i = 0; i < value.length; i++) out.push(value[i]);
}

/** Capability TLVs in a fixed order (the order decode returns them in, so round trips are exact). */
export function encodeCapabilities(caps: Capabilities): Uint8Array {
  const out: number[] = [];
  for (const f of caps.multiprotocol) tlv(out, CapabilityCode.MULTIPROTOCOL, [f.afi >> 8, f.afi & 0xff, 0, f.safi]);
  if (caps.routeRefresh) tlv(out, CapabilityCode.ROUTE_REFRESH, []);
  if (caps.enhancedRouteRefresh) tlv(out, CapabilityCode.ENHANCED_ROUTE_REFRESH, []);
  if (caps.extendedMessage) tlv(out, CapabilityCode.EXTENDED_MESSAGE, []);
  if (caps.extendedNextHop.length > 0) {
    const v: number[] = [];
    for (const e of caps.extendedNextHop) v.push(e.afi >> 8, e.afi & 0xff, e.safi >> 8, e.safi & 0xff, e.nextHopAfi >> 8, e.nextHopAfi & 0xff);
    tlv(out, CapabilityCode.EXTENDED_NEXT_HOP, v);
  }
  const gr = caps.gracefulRestart;
  if (gr) {
    const t = gr.restartTime & 0xfff;
    const v = [(gr.restartState ? 0x80 : 0) | (gr.notification ? 0x40 : 0) | (t >> 8), t & 0xff];
    for (const f of gr.families) v.push(f.afi >> 8, f.afi & 0xff, f.safi, f.forwardingPreserved ? 0x80 : 0);
    tlv(out, CapabilityCode.GRACEFUL_RESTART, v);
  }
  if (caps.fourOctetAs !== undefined) {
    const a = caps.fourOctetAs >>> 0;
    tlv(out, CapabilityCode.FOUR_OCTET_AS, [a >>> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff]);
  }
  for (const u of caps.unknown) tlv(out, u.code, u.value);
  return Uint8Array.from(out);
}
