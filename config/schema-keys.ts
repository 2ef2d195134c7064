// Which keys the schema allows at a given path, for "did you mean" on unknown keys. Walks zod's
// definition objects rather than keeping a second list of keys that could drift from the schema.
import type { z } from 'zod';
import type { KeyPath } from './errors';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strip wrappers (optional, default, prefault, preprocess pipes) down to the object or array inside. */
function unwrap(s: z.ZodType): z.ZodType {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.out && defOf(d.out).type !== 'transform') s = d.out;
    else return s;
  }
  return s;
}

export function keysAt(schema: z.ZodType, path: KeyPath): string[] {
  let s = unwrap(schema);
  for (const seg of path) {
    const d = defOf(s);
    if (typeof seg === 'number' && d.type === 'array' && d.element) s = unwrap(d.element);
    else if (typeof seg === 'string' && d.type === 'object' && d.shape && seg in d.shape) s = unwrap(d.shape[seg]);
    else return [];
  }
  const d = defOf(s);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

/** Every place a key name is valid, as display paths ("timers", "peers[]"), for keys written at the wrong level. */
export function keyLocations(schema: z.ZodType): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (s: z.ZodType, where: string, depth: number) => {
    if (depth > 12) return;
    const d = defOf(unwrap(s));
    if (d.type === 'array' && d.element) walk(d.element, `${where}[]`, depth + 1);
    if (d.type !== 'object' || !d.shape) return;
    for (const [key, child] of Object.entries(d.shape)) {
      const list = out.get(key) ?? [];
      list.push(where === '' ? '(top level)' : where);
      out.set(key, list);
      walk(child, where === '' ? key : `${where}.${key}`, depth + 1);
    }
  };
  walk(schema, '', 0);
  return out;
}
