import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfigText, validateConfig } from '../../config/index';
import { ALL_KINDS, GROUP } from '../../ipam/store/kubernetes-kinds';
import { compileCrdSchema, makeAjv, structuralProblems } from './crd-schema';
import { DEPLOY, expectations, readCrds, readDocs, type Doc } from './manifests';
import { rulesFor, ruleAllows, type PolicyRule } from './fake-rbac';

const crds = readCrds();
const crdByKind = new Map(crds.map((c) => [c.kind, c]));
const ajv = makeAjv();
const validators = new Map(crds.map((c) => [c.kind, compileCrdSchema(ajv, c.schema)]));

function kubectl(): string | undefined {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

const ds = readDocs(join(DEPLOY, 'daemonset.yaml'))[0] as Doc & { spec: any };
const pod = ds.spec.template.spec;
const bgpd = pod.containers.find((c: { name: string }) => c.name === 'bgpd');
const configText = execFileSync('cat', [join(DEPLOY, 'config/bgpd.yaml')], { encoding: 'utf8' });

describe('kustomize', () => {
  const version = kubectl();
  it.skipIf(!version)(`renders deploy/ offline with kubectl kustomize${version ? '' : ' (SKIPPED: no kubectl on PATH)'}`, () => {
    const out = execFileSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8' });
    const docs = parseAllDocuments(out).map((d) => d.toJS() as Doc);
    const kinds = docs.map((d) => d.kind).sort();
    expect(kinds.filter((k) => k === 'CustomResourceDefinition').length).toBe(crds.length);
    for (const k of ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet']) expect(kinds).toContain(k);
    // Namespaced objects land in tortie-system; the hashed ConfigMap name is what the DaemonSet mounts.
    const cm = docs.find((d) => d.kind === 'ConfigMap')!;
    expect(cm.metadata.namespace).toBe('tortie-system');
    expect(cm.metadata.name).toMatch(/^tortie-config-[a-z0-9]{10}$/);
    expect((cm as unknown as { data: Record<string, string> }).data['bgpd.yaml']).toBe(configText);
    const rendered = docs.find((d) => d.kind === 'DaemonSet') as Doc & { spec: any };
    expect(rendered.metadata.namespace).toBe('tortie-system');
    const vol = rendered.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'config');
    expect(vol.configMap.name).toBe(cm.metadata.name);
    expect(rendered.spec.template.spec.containers[0].image).toBe('ghcr.io/tortie/tortie:0.1.0');
    const crb = docs.find((d) => d.kind === 'ClusterRoleBinding') as Doc & { subjects: Array<{ namespace: string }> };
    expect(crb.subjects[0].namespace).toBe('tortie-system');
  });
});

describe('CRDs', () => {
  it('has one CRD per datastore kind plus BGPPeer, BGPConfiguration and BGPFilter, all cluster-scoped in tortie.dev', () => {
    const kinds = crds.map((c) => c.kind).sort();
    expect(kinds).toEqual([...ALL_KINDS.map((k) => k.kind), 'BGPPeer', 'BGPConfiguration', 'BGPFilter'].sort());
    for (const k of ALL_KINDS) expect(crdByKind.get(k.kind)?.plural).toBe(k.plural);
    for (const c of crds) {
      expect(c.name).toBe(`${c.plural}.${GROUP}`);
      expect(c.group).toBe(GROUP);
      expect(c.scope).toBe('Cluster');
    }
  });

  it('every openAPIV3Schema is structural and compiles with ajv', () => {
    for (const c of crds) {
      expect(structuralProblems(c.schema), c.file).toEqual([]);
      expect(validators.get(c.kind), c.file).toBeTypeOf('function');
    }
  });

  it('printer columns point at fields the schema has; kubectl get bgppeers shows peer, AS and node', () => {
    for (const c of crds) {
      for (const col of c.columns) {
        if (col.jsonPath.startsWith('.metadata')) continue;
        let s: any = c.schema;
        for (const part of col.jsonPath.slice(1).split('.')) s = s?.properties?.[part];
        expect(s, `${c.kind} column ${col.name} ${col.jsonPath}`).toBeDefined();
      }
    }
    expect(crdByKind.get('BGPPeer')!.columns.map((c) => c.jsonPath)).toEqual(expect.arrayContaining(['.spec.peerIP', '.spec.asNumber', '.spec.node']));
  });
});

describe('examples', () => {
  const dir = join(DEPLOY, 'examples');
  const validate = (d: Doc) => {
    const v = validators.get(d.kind);
    if (!v) throw new Error(`no CRD for kind ${d.kind}`);
    const ok = v(d);
    return { ok, errors: (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`) };
  };

  for (const f of readdirSync(join(dir, 'valid'))) {
    it(`accepts valid/${f}`, () => {
      for (const d of readDocs(join(dir, 'valid', f))) {
        expect(d.apiVersion).toBe(`${GROUP}/v1`);
        expect(validate(d).errors).toEqual([]);
      }
    });
  }
  for (const f of readdirSync(join(dir, 'broken'))) {
    it(`rejects broken/${f} for the stated reason`, () => {
      const want = expectations(join(dir, 'broken', f));
      expect(want.length, 'every broken example says why (# expect: …)').toBeGreaterThan(0);
      const [d] = readDocs(join(dir, 'broken', f));
      const r = validate(d);
      expect(r.ok).toBe(false);
      for (const w of want) expect(r.errors.some((e) => e.includes(w)), `${r.errors.join('; ')} should include ${w}`).toBe(true);
    });
  }

  it('the valid IPPool example has the shape IPAM stores (ipam/model.ts IPPool)', () => {
    const [d] = readDocs(join(dir, 'valid/ippool-default.yaml')) as Array<Doc & { spec: Record<string, unknown> }>;
    expect(Object.keys(d.spec).sort()).toEqual(['allowedUses', 'blockSize', 'cidr', 'crossSubnet', 'encapsulation', 'natOutgoing', 'nodeSelector'].sort());
  });
});

describe('RBAC', () => {
  const docs = readDocs(join(DEPLOY, 'rbac.yaml'));
  const role = docs.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'tortie-node') as Doc & { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };
  const allowed = (group: string, resource: string, verb: string) =>
    role.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

  it('grants exactly what the datastore and the daemon use, no wildcards', () => {
    for (const r of role.rules) for (const x of [...r.apiGroups, ...r.resources, ...r.verbs]) expect(x).not.toBe('*');
    for (const k of ALL_KINDS.filter((k) => k.plural !== 'ippools'))
      for (const v of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) expect(allowed(GROUP, k.plural, v), `${k.plural} ${v}`).toBe(true);
    expect(['get', 'list', 'watch', 'create'].every((v) => allowed(GROUP, 'ippools', v))).toBe(true);
    expect(allowed(GROUP, 'ippools', 'update') || allowed(GROUP, 'ippools', 'delete')).toBe(false);
    for (const p of ['bgppeers', 'bgpconfigurations', 'bgpfilters']) {
      expect(allowed(GROUP, p, 'watch')).toBe(true);
      expect(allowed(GROUP, p, 'update')).toBe(false);
    }
    expect(['get', 'list', 'watch'].every((v) => allowed('', 'nodes', v))).toBe(true);
    for (const v of ['create', 'update', 'patch', 'delete']) expect(allowed('', 'nodes', v)).toBe(false);
    expect(allowed('', 'events', 'create')).toBe(true);
    expect(allowed('', 'pods', 'list') && !allowed('', 'pods', 'delete')).toBe(true);
    expect(allowed('', 'secrets', 'get')).toBe(false); // only in tortie-system, through a Role
    const secretsRole = docs.find((d) => d.kind === 'Role' && d.metadata.name === 'tortie-node-secrets') as Doc & { rules: Array<{ resources: string[]; verbs: string[] }> };
    expect(secretsRole.metadata.namespace).toBe('tortie-system');
    expect(secretsRole.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }]);
    // the agent reads BGPPeer password Secrets from its own namespace, which is the Role's
    expect(bgpd.env).toContainEqual({ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
  });
});

describe('RBAC of the CNI plugin (tortie-cni) and its token', () => {
  const docs = readDocs(join(DEPLOY, 'rbac.yaml'));
  const NS = 'tortie-system';
  const node = rulesFor(docs, { namespace: NS, name: 'tortie-node' });
  const cni = rulesFor(docs, { namespace: NS, name: 'tortie-cni' });
  const can = (rules: { cluster: PolicyRule[]; namespaced: Map<string, PolicyRule[]> }, verb: string, group: string, resource: string, ns?: string, name?: string) => {
    const [res, sub] = resource.split('/');
    const attrs = { verb, group, resource: res, subresource: sub, namespace: ns, name };
    return [...rules.cluster, ...(ns === undefined ? [] : (rules.namespaced.get(ns) ?? []))].some((r) => ruleAllows(r, attrs));
  };

  it('tortie-cni has its own ServiceAccount (no mounted token) and one ClusterRole: IPAM objects only, no Secrets, Pods, Nodes, watch or pool writes', () => {
    const sa = docs.find((d) => d.kind === 'ServiceAccount' && d.metadata.name === 'tortie-cni') as Doc & { automountServiceAccountToken?: boolean };
    expect(sa.metadata.namespace).toBe(NS);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(cni.namespaced.size).toBe(0);
    expect(cni.cluster.length).toBeGreaterThan(0);
    for (const r of cni.cluster) {
      expect(r.apiGroups).toEqual([GROUP]);
      for (const x of [...r.resources, ...r.verbs]) expect(x).not.toBe('*');
      expect(r.verbs).not.toContain('watch');
    }
    for (const ns of [undefined, NS, 'default'])
      for (const v of ['get', 'list', 'watch']) {
        expect(can(cni, v, '', 'secrets', ns), `secrets ${v} ${ns}`).toBe(false);
        expect(can(cni, v, '', 'pods', ns), `pods ${v} ${ns}`).toBe(false);
      }
    expect(can(cni, 'get', '', 'nodes')).toBe(false);
    expect(can(cni, 'create', '', 'serviceaccounts/token', NS, 'tortie-cni')).toBe(false);
    for (const p of ['ippools', 'bgppeers', 'bgpconfigurations', 'bgpfilters'])
      for (const v of ['create', 'update', 'patch', 'delete']) expect(can(cni, v, GROUP, p), `${p} ${v}`).toBe(false);
    // What the allocator writes (the exact set is checked against a run of the plugin: cni-rbac.test.ts).
    for (const v of ['create', 'update', 'delete']) expect(can(cni, v, GROUP, 'ipamblocks'), v).toBe(true);
    expect(can(cni, 'list', GROUP, 'ippools')).toBe(true);
  });

  it('the agent may create tokens for tortie-cni only: serviceaccounts/token, resourceNames, its namespace', () => {
    expect(can(node, 'create', '', 'serviceaccounts/token', NS, 'tortie-cni')).toBe(true);
    expect(can(node, 'create', '', 'serviceaccounts/token', NS, 'tortie-node')).toBe(false);
    expect(can(node, 'create', '', 'serviceaccounts/token', NS, 'default')).toBe(false);
    expect(can(node, 'create', '', 'serviceaccounts/token', 'kube-system', 'tortie-cni')).toBe(false);
    for (const v of ['get', 'list', 'update', 'patch', 'delete']) expect(can(node, v, '', 'serviceaccounts', NS, 'tortie-cni'), v).toBe(false);
    // No cluster-wide rule mentions ServiceAccounts at all.
    expect(node.cluster.some((r) => r.resources.some((x) => x.startsWith('serviceaccounts') || x === '*'))).toBe(false);
    const tokenRules = (node.namespaced.get(NS) ?? []).filter((r) => r.resources.some((x) => x.startsWith('serviceaccounts')));
    expect(tokenRules).toEqual([{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['tortie-cni'], verbs: ['create'] }]);
  });

  it('a tortie-cni token gives the agent pod (which can mint one) nothing it does not already have', () => {
    for (const r of cni.cluster)
      for (const group of r.apiGroups)
        for (const resource of r.resources)
          for (const verb of r.verbs) expect(can(node, verb, group, resource), `${verb} ${group}/${resource}`).toBe(true);
  });

  it('the DaemonSet asks for the tortie-cni token from the agent pod (its own token mounted) in both install-cni containers', () => {
    expect(pod.automountServiceAccountToken).not.toBe(false);
    for (const name of ['install-cni', 'cni-kubeconfig']) {
      const c = pod.initContainers.find((x: { name: string }) => x.name === name);
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
      expect(env.CNI_SERVICEACCOUNT, name).toBe('tortie-cni');
      // Long enough that a day without the sidecar is survivable, and ≥ the apiserver's 600 s minimum.
      expect(Number(env.CNI_TOKEN_SECONDS), name).toBeGreaterThanOrEqual(3600);
    }
  });
});

describe('bgpd config and DaemonSet', () => {
  const parsed = parseConfigText(configText, 'deploy/config/bgpd.yaml');
  if (!('config' in parsed) || !parsed.config) throw new Error(`deploy/config/bgpd.yaml invalid: ${JSON.stringify(parsed)}`);
  const config = parsed.config;
  const dist = join(import.meta.dirname, '../../dist/bgpd');

  it('the ConfigMap config passes `dist/bgpd --check` and uses the kubernetes datastore', () => {
    expect(existsSync(dist), 'run node scripts/build.mjs first').toBe(true);
    const r = spawnSync(process.execPath, [dist, '--config', join(DEPLOY, 'config/bgpd.yaml'), '--check'], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).toMatch(/OK: .*kubernetes datastore/);
    expect(r.status).toBe(0);
    expect(config.datastore.type).toBe('kubernetes');
  });

  it('probes hit /healthz and /readyz on the health address and port of the config (defaults from config/)', () => {
    const defaults = validateConfig({}, 'defaults');
    if (!('config' in defaults) || !defaults.config) throw new Error('default config invalid');
    // The deployed config keeps config/'s defaults, so an operator who deletes the section changes nothing.
    expect(config.health).toEqual(defaults.config.health);
    for (const [probe, path] of [['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']] as const) {
      expect(bgpd[probe].httpGet).toEqual({ host: config.health.address, path, port: config.health.port });
    }
    expect(bgpd.ports.find((p: { name: string }) => p.name === 'health').containerPort).toBe(config.health.port);
  });

  it("the daemon's own health server answers the DaemonSet's probe paths (bgpd/health)", async () => {
    const { HealthServer } = await import('../../bgpd/health/server');
    // Port 0 instead of the config's port: another test or daemon may hold 9099 on this machine.
    const hs = new HealthServer({ address: config.health.address, port: 0, sources: { peers: () => [], datastoreReachable: async () => true } });
    const port = await hs.listen();
    try {
      for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
        const g = bgpd[probe].httpGet;
        const r = await fetch(`http://${g.host}:${port}${g.path}`);
        expect(r.status, `${probe} ${g.path}`).toBe(200);
      }
      expect((await fetch(`http://${config.health.address}:${port}/nope`)).status).toBe(404);
    } finally {
      await hs.close();
    }
  });

  it('runs on every node in the host network with named capabilities, not privileged', () => {
    expect(pod.hostNetwork).toBe(true);
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.serviceAccountName).toBe('tortie-node');
    expect(bgpd.securityContext.privileged).toBeUndefined();
    expect(bgpd.securityContext.capabilities.drop).toEqual(['ALL']);
    // exactly what the e2e tests run bgpd with (test/e2e/manifest-caps.ts reads this list)
    expect(bgpd.securityContext.capabilities.add).toEqual(['NET_ADMIN', 'NET_BIND_SERVICE']);
    expect(bgpd.resources.requests.memory).toBeDefined();
    expect(bgpd.resources.limits.memory).toBeDefined();
  });

  it('mounts the host directories it needs', () => {
    const host = pod.volumes.filter((v: any) => v.hostPath).map((v: any) => v.hostPath.path).sort();
    expect(host).toEqual(['/etc/cni/net.d', '/lib/modules', '/opt/cni/bin', '/run/tortie', '/var/lib/tortie']);
    // The control socket of the config lives on a host mount, so bgpctl on the node can reach it.
    expect(config.control.socket.startsWith('/run/tortie/')).toBe(true);
  });

  it('rolls one node at a time and shuts down well inside the graceful-restart window', () => {
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    expect(config.gracefulRestart.enabled).toBe(true);
    // the kubelet's SIGTERM keeps the peers' copy of our routes (bgpd/daemon/shutdown.ts)
    expect(config.shutdown.onSigterm).toBe('graceful');
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    expect(pod.terminationGracePeriodSeconds).toBeLessThan(config.gracefulRestart.restartTime);
  });

  it('moves on to the next node only after this one has converged and stayed Ready for a few probes', () => {
    const ready = bgpd.readinessProbe;
    // Ready must mean something: minReadySeconds spans at least two readiness probes...
    expect(ds.spec.minReadySeconds).toBeGreaterThanOrEqual(2 * ready.periodSeconds);
    // ...without stalling a rollout for long
    expect(ds.spec.minReadySeconds).toBeLessThanOrEqual(60);
    // a worst-case stop (SIGKILL at the end of the grace period) plus the time readiness waits for the
    // sessions (30 s after start: bgpd/agent/node-services.ts) stays inside the peers' restart window
    expect(pod.terminationGracePeriodSeconds + 30).toBeLessThan(config.gracefulRestart.restartTime);
    expect(ready.timeoutSeconds).toBeLessThan(ready.periodSeconds);
    // liveness is not tied to BGP: /healthz, never /readyz
    expect(bgpd.livenessProbe.httpGet.path).toBe('/healthz');
  });

  it('installs the CNI plugins from an init container', () => {
    const init = pod.initContainers.find((c: { name: string }) => c.name === 'install-cni');
    expect(init.command[0]).toMatch(/tortie-install$/);
    const env = Object.fromEntries(init.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.NODE_NAME).toEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
    expect(env.CNI_BIN_DIR).toBe('/host/opt/cni/bin');
    expect(env.CNI_NET_DIR).toBe('/host/etc/cni/net.d');
    // The sidecar that follows token rotation writes the same kubeconfig install-cni wrote.
    const side = pod.initContainers.find((c: { name: string }) => c.name === 'cni-kubeconfig');
    expect(side.restartPolicy).toBe('Always');
    expect(side.command).toEqual([init.command[0], '--refresh-kubeconfig=60']);
    const sideEnv = Object.fromEntries(side.env.map((e: any) => [e.name, e.value]));
    for (const k of ['CNI_BIN_DIR', 'CNI_NET_DIR', 'CNI_KUBECONFIG', 'CNI_DATASTORE', 'CNI_SERVICEACCOUNT', 'CNI_TOKEN_SECONDS']) expect(sideEnv[k], k).toBe(env[k]);
  });
});


describe('RBAC for problem reports (bgpd/agent/k8s-report.ts)', () => {
  const role = readDocs(join(DEPLOY, 'rbac.yaml')).find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'tortie-node') as Doc & { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };
  const allowed = (group: string, resource: string, verb: string) =>
    role.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

  it('may create/patch Events and write the status of the reported CRDs, never their spec', () => {
    expect(allowed('', 'events', 'create') && allowed('', 'events', 'patch')).toBe(true);
    for (const p of ['bgppeers', 'ippools', 'bgpconfigurations', 'bgpfilters']) {
      expect(allowed(GROUP, `${p}/status`, 'patch'), p).toBe(true);
      expect(allowed(GROUP, p, 'patch'), p).toBe(false);
    }
    expect(allowed('', 'nodes/status', 'patch')).toBe(false);
  });

  it('every CRD the reporter writes a condition to has the status subresource', () => {
    const withStatus = new Set(readCrds().filter((c) => c.status).map((c) => c.plural));
    for (const p of ['bgppeers', 'ippools', 'bgpconfigurations', 'bgpfilters']) expect(withStatus.has(p), p).toBe(true);
  });
});
