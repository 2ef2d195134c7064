import { describe, expect, it } from 'vitest';
import { annotationAs, expectedAs, localAsFor } from './k8s-local-as';
import { startupSettingsFrom } from './k8s-startup';
import type { CrdObject, NodeObject } from './k8s-peers';

const FILE = { asNumber: 64512, nodeToNodeMesh: true, listenPort: 179 };
const node = (as?: string): NodeObject => ({ metadata: { name: 'a', ...(as !== undefined ? { annotations: { 'tortie.dev/as-number': as } } : {}) } });
const cfg = (name: string, spec: Record<string, unknown>): CrdObject => ({ metadata: { name }, spec });

describe('this node\'s AS: annotation > BGPConfiguration > file, unless configFileWins lists asNumber', () => {
  it('the node annotation wins over the BGPConfiguration and the file', () => {
    expect(localAsFor(node('65001'), 64999, 64512)).toEqual({ asNumber: 65001, from: 'node annotation' });
  });

  it('without an annotation the BGPConfiguration wins over the file', () => {
    expect(localAsFor(node(), 64999, 64512)).toEqual({ asNumber: 64999, from: 'BGPConfiguration' });
    expect(localAsFor(undefined, 64999, 64512)).toEqual({ asNumber: 64999, from: 'BGPConfiguration' });
  });

  it('neither: the file', () => {
    expect(localAsFor(node(), 64512, 64512)).toEqual({ asNumber: 64512, from: 'config file' });
  });

  it('configFileWins [asNumber]: the file, whatever the annotation and BGPConfiguration say', () => {
    expect(localAsFor(node('65001'), 64999, 64512, ['asNumber'])).toEqual({ asNumber: 64512, from: 'config file' });
    expect(localAsFor(node('65001'), 64999, 64512, ['listenPort'])).toEqual({ asNumber: 65001, from: 'node annotation' });
  });

  it('an annotation that is not an AS number is ignored, with a problem naming it', () => {
    for (const bad of ['abc', '0', '4294967296', '-1', '1.5', '']) {
      expect(annotationAs(node(bad)).asNumber).toBeUndefined();
      expect(annotationAs(node(bad)).problem).toBe(`metadata.annotations["tortie.dev/as-number"]: expected an AS number 1–4294967295, found ${JSON.stringify(bad)}; ignored`);
      expect(localAsFor(node(bad), 64999, 64512)).toEqual({ asNumber: 64999, from: 'BGPConfiguration' });
    }
    expect(annotationAs(node(' 4294967295 '))).toEqual({ asNumber: 4294967295 });
  });

  it('what the other nodes expect: the annotation, else the cluster AS (configFileWins does not change that)', () => {
    expect(expectedAs(node('65001'), 64512)).toBe(65001);
    expect(expectedAs(node(), 64999)).toBe(64999);
  });
});

describe('startupSettingsFrom (the objects bgpd reads before its speaker exists)', () => {
  it('default asNumber and a node.<name> listenPort; another node\'s object changes nothing', () => {
    const objs = [cfg('default', { asNumber: 64999, listenPort: 1179 }), cfg('node.a', { listenPort: 2179 }), cfg('node.b', { listenPort: 3179 })];
    expect(startupSettingsFrom(node(), objs, 'a', FILE)).toEqual({ asNumber: 64999, asFrom: 'BGPConfiguration', listenPort: 2179, listenPortFrom: 'BGPConfiguration' });
    expect(startupSettingsFrom(node('65001'), objs, 'c', FILE)).toEqual({ asNumber: 65001, asFrom: 'node annotation', listenPort: 1179, listenPortFrom: 'BGPConfiguration' });
  });

  it('an asNumber in a node object is not this node\'s AS (default only)', () => {
    expect(startupSettingsFrom(node(), [cfg('node.a', { asNumber: 65010 })], 'a', FILE)).toMatchObject({ asNumber: 64512, asFrom: 'config file' });
  });

  it('nothing in the cluster, or configFileWins for both: the file', () => {
    expect(startupSettingsFrom(undefined, [], 'a', FILE)).toEqual({ asNumber: 64512, asFrom: 'config file', listenPort: 179, listenPortFrom: 'config file' });
    const objs = [cfg('default', { asNumber: 64999, listenPort: 1179 })];
    expect(startupSettingsFrom(node('65001'), objs, 'a', FILE, ['asNumber', 'listenPort'])).toEqual({ asNumber: 64512, asFrom: 'config file', listenPort: 179, listenPortFrom: 'config file' });
  });
});
