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

  constructor(private readonly o: CniTokenOptions) {}

  /** The current token, first renewed if due. Throws when no token can be had (and none is held). */
  async token(): Promise<CniToken> {
    const now = (this.o.now ?? Date.now)();
    if (this.current && !renewalDue(this.current, now)) return this.current;
    const next = await this.obtain(now);
    const sa = `${this.o.namespace}/${this.o.serviceAccount}`;
    if (next.source === 'tokenrequest' && this.current?.source !== 'tokenrequest')
      this.o.log(`CNI kubeconfig token: ServiceAccount ${sa} via TokenRequest, renewed from ${new Date(next.renewAt!).toISOString()}`);
    this.current = next;
    return next;
  }

  private async obtain(now: number): Promise<CniToken> {
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
      return { token: t.token, source: 'tokenrequest', expiresAt: t.expiresAt, renewAt: now + t.lifetimeSeconds * 1000 * RENEW_AT_FRACTION };
    } catch (err) {
      if (!(err instanceof TokenRequestError) || err.status !== 403) throw err;
      // Warn once per switch, not every minute.
      if (this.current?.source !== 'pod')
        this.o.log(
          `warning: ${err.message}; the CNI kubeconfig gets this pod's own token instead (all of this pod's rights, and it stops working when the pod is deleted). Apply deploy/rbac.yaml (Role tortie-node-cni-token).`,
        );
      return { token: pod.token, source: 'pod' };
    }
  }
}
