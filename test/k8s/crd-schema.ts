// Turns a CRD's openAPIV3Schema into an ajv validator that rejects what `kubectl apply` against a real
// apiserver rejects with strict field validation (kubectl's default since 1.27): the schema's own
// constraints, plus unknown fields wherever the schema does not preserve them. The apiserver would prune
// such fields silently without strict validation; a CRD itself may not say `additionalProperties: false`
// (the apiserver refuses it), so the strictness is added here, not written in the CRDs.
import { Ajv, type ValidateFunction } from 'ajv';

export type Schema = { [k: string]: unknown };

const K8S_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-embedded-resource',
];

function strict(schema: Schema): Schema {
  const out: Schema = { ...schema };
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, Schema>).map(([k, v]) => [k, strict(v)]));
    if (!out['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (out.items && typeof out.items === 'object') out.items = strict(out.items as Schema);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = strict(out.additionalProperties as Schema);
  return out;
}

export function makeAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  for (const k of K8S_KEYWORDS) ajv.addKeyword(k);
  return ajv;
}

export function compileCrdSchema(ajv: Ajv, openAPIV3Schema: Schema): ValidateFunction {
  return ajv.compile(strict(openAPIV3Schema));
}

/** Problems a real apiserver reports for a non-structural schema (the subset we can check cheaply). */
export function structuralProblems(schema: Schema, path = ''): string[] {
  const out: string[] = [];
  if (schema.additionalProperties === false) out.push(`${path}: additionalProperties cannot be set to false`);
  if (schema.type === undefined && !schema['x-kubernetes-preserve-unknown-fields'] && !schema['x-kubernetes-int-or-string'])
    out.push(`${path}: type must be specified`);
  if (schema.properties && schema.additionalProperties !== undefined) out.push(`${path}: properties and additionalProperties are mutually exclusive`);
  for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) out.push(...structuralProblems(v, `${path}.${k}`));
  if (schema.items) out.push(...structuralProblems(schema.items as Schema, `${path}[]`));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    out.push(...structuralProblems(schema.additionalProperties as Schema, `${path}{}`));
  return out;
}
