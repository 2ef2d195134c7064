// The fake apiserver as a process (for daemons in another network namespace): registers deploy/crds,
// prints its URL on stdout, serves until killed. npx tsx test/k8s/fake-apiserver-main.ts [host [port]]
// (default 127.0.0.1 and an ephemeral port).
import { FakeApiServer } from './fake-apiserver';
import { readCrds } from './manifests';

async function main(): Promise<void> {
  const [host, port] = process.argv.slice(2);
  const api = await FakeApiServer.start({ ...(host ? { host } : {}), ...(port ? { port: Number(port) } : {}) });
  for (const c of readCrds()) api.register({ group: c.group, version: 'v1', plural: c.plural, kind: c.kind, namespaced: false }, { columns: c.columns, status: c.status });
  process.stdout.write(`${api.url}\n`);
  process.once('SIGTERM', () => void api.close().then(() => process.exit(0)));
}
void main();
