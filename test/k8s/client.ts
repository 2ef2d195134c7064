// A client-node KubeConfig pointing at a fake apiserver. http:// needs skipTLSVerify (client-node
// refuses plain HTTP otherwise — deps.md §4).
import { KubeConfig } from '@kubernetes/client-node';

export function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'fake', token: 'test-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return kc;
}
