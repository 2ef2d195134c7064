// Reads deploy/ for tests: the CRDs, the DaemonSet, RBAC, the bgpd config and the examples.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Schema } from './crd-schema';

export const DEPLOY = join(import.meta.dirname, '../../deploy');

export type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

export function readDocs(path: string): Doc[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${path}: ${d.errors[0].message}`);
    return d.toJS() as Doc;
  }).filter((d) => d !== null);
}

export interface Crd {
  file: string;
  name: string;
  group: string;
  kind: string;
  plural: string;
  scope: string;
  schema: Schema;
  columns: Array<{ name: string; type: string; jsonPath: string; priority?: number; description?: string }>;
  /** `subresources: {status: {}}`: status is written through `<name>/status` only. */
  status: boolean;
}

export function readCrds(): Crd[] {
  const dir = join(DEPLOY, 'crds');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((file) => {
      const [d] = readDocs(join(dir, file));
      const spec = d.spec as { group: string; scope: string; names: { kind: string; plural: string }; versions: Array<Record<string, any>> };
      const v = spec.versions[0];
      return {
        file,
        name: d.metadata.name,
        group: spec.group,
        kind: spec.names.kind,
        plural: spec.names.plural,
        scope: spec.scope,
        schema: v.schema.openAPIV3Schema as Schema,
        columns: (v.additionalPrinterColumns ?? []) as Crd['columns'],
        status: typeof v.subresources?.status === 'object',
      };
    });
}

/** `# expect: …` comments of a broken example. */
export function expectations(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(/^# expect: (.*)$/gm)].map((m) => m[1].trim());
}
