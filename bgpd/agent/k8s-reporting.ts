// With the Kubernetes datastore: one problem reporter (Events, Valid conditions, log lines) for everything
// the agent validates, and the IPPool watcher that feeds it pools. node-services hands `reporter` to the
// peer source. Load lazily (`await import('./k8s-reporting')`): client-node costs ~400 ms to load.
import { loadKubeConfig } from './k8s-client';
import type { Logger } from '../session/peer-config';
import { KubernetesIpPoolWatcher } from './k8s-ippools';
import { KubernetesProblemReporter } from './k8s-report';

export interface KubernetesReporting {
  reporter: KubernetesProblemReporter;
  stop(): Promise<void>;
}

export function startKubernetesReporting(opts: { kubeconfig?: string; host: string; logger: Logger }): KubernetesReporting {
  const kc = loadKubeConfig(opts.kubeconfig);
  const reporter = new KubernetesProblemReporter({ kubeConfig: kc, host: opts.host, logger: opts.logger });
  const pools = new KubernetesIpPoolWatcher({ kubeConfig: kc, reporter, logger: opts.logger });
  // not awaited: pool reports are not worth delaying the BGP sessions for; the informer retries by itself
  pools.start().catch((err: Error) => opts.logger.warn({ err: err.message }, 'IPPool watch did not start; invalid pools are not reported'));
  return {
    reporter,
    async stop() {
      await pools.stop();
      reporter.close();
    },
  };
}
