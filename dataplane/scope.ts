import { ROUTE_SCOPES } from './netlink/constants';

export type Scope = keyof typeof ROUTE_SCOPES;

export function scopeNumber(s: Scope): number {
  return ROUTE_SCOPES[s];
}

/** Name for a scope number; unknown values (user-defined scopes) come back as their number in text. */
export function scopeName(n: number): Scope | `${number}` {
  for (const [k, v] of Object.entries(ROUTE_SCOPES)) if (v === n) return k as Scope;
  return `${n}`;
}
