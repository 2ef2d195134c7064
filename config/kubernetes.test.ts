// kubernetes.configFileWins: which BGPConfiguration fields the config file beats.
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from './index';
import type { HostFacts } from './index';

const host: HostFacts = { hostname: 'node-7', ipv4: ['198.18.5.7'], ipv6: [] };
const K8S = 'datastore: { type: kubernetes }\n';
const parse = (text: string) => parseConfigText(text, 'c.yaml', { host });
const lines = (text: string): string[] => (parse(text).errors ?? []).map(formatConfigError);

describe('kubernetes.configFileWins', () => {
  it('defaults to no field (the CRD wins) and keeps the listed fields', () => {
    expect(parse(K8S).config?.kubernetes).toEqual({ configFileWins: [] });
    expect(parse(`${K8S}kubernetes: { configFileWins: [asNumber, listenPort] }\n`).config?.kubernetes).toEqual({ configFileWins: ['asNumber', 'listenPort'] });
    // a single name is a one-element list, as elsewhere in the file
    expect(parse(`${K8S}kubernetes: { configFileWins: nodeToNodeMesh }\n`).config?.kubernetes.configFileWins).toEqual(['nodeToNodeMesh']);
  });

  it('rejects an unknown field with a suggestion, a repeated field, and the key without the Kubernetes datastore', () => {
    const typo = lines(`${K8S}kubernetes: { configFileWins: [asNumber, listenport] }\n`);
    expect(typo.join('\n')).toMatch(/kubernetes\.configFileWins\[1\].*one of asNumber, nodeToNodeMesh, listenPort, nodeMeshMaxRestartTime, logSeverityScreen.*did you mean "listenPort"/s);
    expect(lines(`${K8S}kubernetes: { configFileWins: [asNumber, asNumber] }\n`).join('\n')).toMatch(/kubernetes\.configFileWins\[1\].*each field once/s);
    expect(lines('kubernetes: { configFileWins: [asNumber] }\n').join('\n')).toMatch(/kubernetes.*only with datastore\.type kubernetes.*file datastore/s);
    expect(lines(`${K8S}kubernetes: { winner: file }\n`).join('\n')).toMatch(/kubernetes\.winner/);
  });
});
