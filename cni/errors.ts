// CNI error results: the spec's JSON object on stdout plus a non-zero exit. Codes 1–99 are the
// spec's (only the ones we emit are listed); 100+ are ours and documented in README.md.
export const CniCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironment: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidNetconf: 7,
  TryAgainLater: 11,
  /** spec 1.1: STATUS — the plugin cannot service ADD requests */
  NotAvailable: 50,
  Internal: 100,
  IpamFailure: 101,
  DataplaneFailure: 102,
  CheckFailed: 103,
  DelegateFailure: 104,
  AddressConflict: 105,
} as const;
export type CniCodeValue = (typeof CniCode)[keyof typeof CniCode];

export interface CniErrorJson {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

export class CniError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly details?: string,
  ) {
    super(msg);
    this.name = 'CniError';
  }

  toJson(cniVersion: string): CniErrorJson {
    const out: CniErrorJson = { cniVersion, code: this.code, msg: this.message };
    if (this.details) out.details = this.details;
    return out;
  }
}

/** Any thrown value as a CniError: ours pass through, others become `fallback` with the text as details. */
export function toCniError(err: unknown, fallback: number = CniCode.Internal, context?: string): CniError {
  if (err instanceof CniError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const msg = context ? `${context}: ${e.message}` : e.message;
  return new CniError(fallback, msg, e.name !== 'Error' ? e.name : undefined);
}
