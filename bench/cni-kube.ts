// The Kubernetes datastore for the CNI bench: the fake apiserver (test/k8s) with tortie's kinds and a
// pool, served over https (a CA of its own, made with openssl — a real cluster's kubeconfig is https, and
// the TLS handshake is part of what an ADD pays) from a listener inside the bench's host netns, where the
// plugins run. Two kubeconfigs for the same server: install-cni's JSON form (the lean transport reads it)
// and the same as YAML (the lean reader leaves YAML to client-node: the transport every ADD used before).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { withNetns } from '../dataplane/netns';
import { createPool, type PoolInput } from '../ipam/pools';
import { ALL_KINDS, GROUP, VERSION } from '../ipam/store/kubernetes-kinds';
import { KubernetesStore } from '../ipam/store/kubernetes';
import { kubeConfigFor } from '../test/k8s/client';
import { FakeApiServer } from '../test/k8s/fake-apiserver';

export interface BenchApiServer {
  /** install-cni's form: JSON, certificate-authority-data + token → lean transport */
  readonly jsonKubeconfig: string;
  /** the same as YAML → client-node transport */
  readonly yamlKubeconfig: string;
  readonly api: FakeApiServer;
  close(): Promise<void>;
}

function certs(dir: string): { ca: Buffer; key: Buffer; cert: Buffer } {
  const ssl = (...args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=bench-ca', '-days', '1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=apiserver');
  ssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '1', '-extfile', 'san.ext');
  const f = (n: string): Buffer => readFileSync(join(dir, n));
  return { ca: f('ca.crt'), key: f('srv.key'), cert: f('srv.crt') };
}

export async function startBenchApiServer(hostNetns: string, dir: string, pool: PoolInput): Promise<BenchApiServer> {
  const api = await FakeApiServer.start();
  for (const k of ALL_KINDS) api.register({ group: GROUP, version: VERSION, plural: k.plural, kind: k.kind, namespaced: false });
  const admin = new KubernetesStore({ kubeConfig: kubeConfigFor(api.url) });
  await createPool(admin, pool);
  await admin.close();
  const c = certs(dir);
  const srv: Server = createServer({ key: c.key, cert: c.cert }, api.handler);
  // listen(port) without a host binds synchronously, so the socket is made inside the netns
  withNetns(hostNetns, () => srv.listen(0));
  await new Promise<void>((resolve, reject) => (srv.listening ? resolve() : srv.once('listening', resolve).once('error', reject)));
  const server = `https://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const ca = c.ca.toString('base64');
  const jsonKubeconfig = join(dir, 'kubeconfig.json');
  writeFileSync(jsonKubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'tortie-cni',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: 'tortie-cni', user: { token: 'bench' } }],
    contexts: [{ name: 'tortie-cni', context: { cluster: 'local', user: 'tortie-cni' } }],
  }, null, 2));
  const yamlKubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(yamlKubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: tortie-cni',
    'clusters:', '- name: local', '  cluster:', `    server: ${server}`, `    certificate-authority-data: ${ca}`,
    'users:', '- name: tortie-cni', '  user:', '    token: bench',
    'contexts:', '- name: tortie-cni', '  context:', '    cluster: local', '    user: tortie-cni', '',
  ].join('\n'));
  return {
    jsonKubeconfig,
    yamlKubeconfig,
    api,
    async close() {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
      await api.close();
    },
  };
}
