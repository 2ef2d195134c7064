// The two configuration files install-cni writes: the CNI network list (tortie, then portmap) and the
// kubeconfig the plugin uses for the Kubernetes datastore (a tortie-cni token: cni-token.ts).

export interface ConflistOptions {
  readonly nodeName: string;
  /** A datastore spec as the plugin takes it: `file:/var/lib/tortie/ipam`, `etcd:http://…`, `kubernetes:/path`. */
  readonly datastore: string;
  /** 0 = derive from the underlay and the pool's encapsulation. */
  readonly mtu: number;
  readonly networkName?: string;
  /** The plugin's log_file_path; absent or empty = the plugin logs nothing. */
  readonly logFile?: string;
  /** Default 1.1.0 (STATUS and GC reach tortie); install-cni lowers it for an older portmap (install-portmap.ts). */
  readonly cniVersion?: string;
}

export function renderConflist(o: ConflistOptions): string {
  const tortie: Record<string, unknown> = {
    type: 'tortie',
    nodename: o.nodeName,
    datastore: o.datastore,
    mtu: o.mtu,
    ipam: { type: 'tortie-ipam' },
  };
  if (o.logFile) tortie.log_file_path = o.logFile;
  const conflist = {
    name: o.networkName ?? 'k8s-pod-network',
    // One version for the whole chain: portmap must speak it too (install-portmap.ts picks it).
    cniVersion: o.cniVersion ?? '1.1.0',
    plugins: [tortie, { type: 'portmap', snat: true, capabilities: { portMappings: true } }],
  };
  return JSON.stringify(conflist, null, 2) + '\n';
}

export interface KubeconfigOptions {
  /** https://host:port of the apiserver (from KUBERNETES_SERVICE_HOST/PORT in a pod). */
  readonly server: string;
  readonly token: string;
  /** PEM of the cluster CA (ca.crt of the service account); absent = system trust store. */
  readonly caPem?: string;
}

/** kubeconfig as JSON, which is valid YAML and needs no YAML library. */
export function renderKubeconfig(o: KubeconfigOptions): string {
  const cluster: Record<string, unknown> = { server: o.server };
  if (o.caPem) cluster['certificate-authority-data'] = Buffer.from(o.caPem).toString('base64');
  return (
    JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'local', cluster }],
        users: [{ name: 'tortie-cni', user: { token: o.token } }],
        contexts: [{ name: 'tortie-cni', context: { cluster: 'local', user: 'tortie-cni' } }],
        'current-context': 'tortie-cni',
      },
      null,
      2,
    ) + '\n'
  );
}

export function serverFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (!host) return undefined;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
