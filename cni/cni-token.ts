// The token the CNI plugin's kubeconfig carries: one of the tortie-cni ServiceAccount, requested with
// TokenRequest using this pod's own token, renewed when a third of its lifetime is left (Calico's
// calico-cni-plugin scheme). Not the pod's token: that one is tortie-node's (it can read Secrets), and it
// dies with the pod, so a DaemonSet rollout would break CNI auth on the node meanwhile. Only when RBAC
// forbids the TokenRequest (an old rbac.yaml) does the pod's token stand in, with a warning, and every
// later check tries TokenRequest again.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requestToken, TokenRequestError, type IssuedToken, type TokenRequestOptions } from './token-request';

export interface CniToken {
  readonly token: string;
  /** `tokenrequest`: a tortie-cni token; `pod`: the fallback, this pod's own token. */
  readonly source: 'tokenrequest' | 'pod';
  /** When to get a new one (ms since the epoch, local clock); the pod fallback is re-checked every time. */
  readonly renewAt?: number;
  /** End of the granted lifetime by the local clock (the apiserver's expirationTimestamp may be skewed). */
  readonly validUntil?: number;
  readonly expiresAt?: number;
}

export interface CniTokenOptions {
  readonly server: string;
  readonly serviceAccountDir: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly expirationSeconds: number;
  readonly log: (line: string) => void;
  readonly now?: () => number;
  readonly request?: (o: TokenRequestOptions) => Promise<IssuedToken>;
}

/** Renew with a third of the granted lifetime left: a day's token is replaced after 16 h. */
export const RENEW_AT_FRACTION = 2 / 3;
/** A tortie-cni token with more than this left is kept rather than replaced by the pod-token fallback. */
export const KEEP_MARGIN_MS = 5 * 60_000;

export function readPodToken(serviceAccountDir: string): { token: string; caPem?: string } {
  const tokenFile = join(serviceAccountDir, 'token');
  if (!existsSync(tokenFile)) throw new Error(`no service-account token at ${tokenFile}`);
  const caFile = join(serviceAccountDir, 'ca.crt');
  return { token: readFileSync(tokenFile, 'utf8').trim(), caPem: existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined };
}

/** The namespace tortie-cni lives in: this pod's (the service-account dir says which), else tortie-system. */
export function podNamespace(serviceAccountDir: string, env: NodeJS.ProcessEnv): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  const f = join(serviceAccountDir, 'namespace');
  return existsSync(f) ? readFileSync(f, 'utf8').trim() : 'tortie-system';
}

export function renewalDue(t: CniToken, now: number): boolean {
  return t.renewAt === undefined || now >= t.renewAt;
}

export class CniTokenKeeper {
  private current?: CniToken;
  /** The 403 has been reported (once per spell of refusals, not every round). */
  private warned = false;

  constructor(private readonly o: CniTokenOptions) {}

  /** The current token, first renewed if due. Throws when no token can be had (and none is held). */
  async token(): Promise<CniToken> {
    const now = (this.o.now ?? Date.now)();
    const held = this.current;
    if (held && !renewalDue(held, now)) return held;
    const got = await this.obtain(now);
    let next: CniToken;
    if ('forbidden' in got) {
      if (!this.warned)
        this.o.log(
          `warning: ${got.forbidden}; the CNI kubeconfig gets this pod's own token instead (all of this pod's rights, and it stops working when the pod is deleted) once the current tortie-cni token, if any, is about to expire. Apply deploy/rbac.yaml (Role tortie-node-cni-token).`,
        );
      this.warned = true;
      // RBAC turned against us (a Role removed) while the token we hold still works: keep that narrower
      // token until it nearly expires rather than hand the plugin this pod's wider one at once.
      const keep = held?.source === 'tokenrequest' && held.validUntil !== undefined && now < held.validUntil - KEEP_MARGIN_MS;
      next = keep ? held : got.pod;
    } else {
      if (held?.source !== 'tokenrequest' || this.warned)
        this.o.log(`CNI kubeconfig token: ServiceAccount ${this.o.namespace}/${this.o.serviceAccount} via TokenRequest, renewed from ${new Date(got.renewAt!).toISOString()}`);
      this.warned = false;
      next = got;
    }
    this.current = next;
    return next;
  }

  private async obtain(now: number): Promise<CniToken | { forbidden: string; pod: CniToken }> {
    const pod = readPodToken(this.o.serviceAccountDir);
    try {
      const t = await (this.o.request ?? requestToken)({
        server: this.o.server,
        bearer: pod.token,
        caPem: pod.caPem,
        namespace: this.o.namespace,
        serviceAccount: this.o.serviceAccount,
        expirationSeconds: this.o.expirationSeconds,
      });
      const life = t.lifetimeSeconds * 1000;
      return { token: t.token, source: 'tokenrequest', expiresAt: t.expiresAt, renewAt: now + life * RENEW_AT_FRACTION, validUntil: now + life };
    } catch (err) {
      if (!(err instanceof TokenRequestError) || err.status !== 403) throw err;
      return { forbidden: err.message, pod: { token: pod.token, source: 'pod' } };
    }
  }
}
