// Maps a key path back to where it is written in the YAML text, so errors can say "line 14, column 17".
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { KeyPath } from './errors';

const start = (n: Node | null | undefined): number | undefined => n?.range?.[0];

/**
 * The offset of the value at `path` (or of its key, with at='key'). When the path goes past what is
 * written (a missing key), the nearest enclosing node is the best place to point at, except at the top
 * level where there is no better place than "somewhere in the file".
 */
export function locateOffset(doc: Document, path: KeyPath, at: 'key' | 'value' = 'value'): number | undefined {
  let node: Node | null | undefined = doc.contents;
  let best = start(node);
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      // a missing top-level key: pointing at line 1 would only mislead
      if (!pair) return i === 0 ? undefined : best;
      const keyNode = pair.key as Node;
      if (last && at === 'key') return start(keyNode) ?? best;
      const value = pair.value as Node | null;
      // "key:" with nothing after it has no value node: point at the key
      if (value === null || start(value) === undefined) return start(keyNode) ?? best;
      node = value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) return best;
      node = item;
    } else {
      return best;
    }
    best = start(node) ?? best;
  }
  return best;
}

export function locate(doc: Document, lines: LineCounter, path: KeyPath, at: 'key' | 'value' = 'value'): { line: number; column: number } | undefined {
  const offset = locateOffset(doc, path, at);
  if (offset === undefined) return undefined;
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}
