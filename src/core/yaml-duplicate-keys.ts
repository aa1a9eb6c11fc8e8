/**
 * Duplicate keys in linear time. yaml's own `uniqueKeys` check compares every key of a map with
 * every earlier one: a 2.5 MB map of 200,000 keys takes minutes. Parse with `uniqueKeys: false`
 * and call this instead.
 */
import { isScalar, visit } from "yaml";
import type { Document } from "yaml";

/**
 * Offset of the first key that repeats an earlier key of the same map (scalars with equal values,
 * as yaml's `uniqueKeys` compares them), or undefined. One set per map: linear in the document.
 */
export function duplicateKeyOffset(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  const nullKey = Symbol("null key");
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key: unknown = pair.key;
        let id: unknown;
        if (key === null) id = nullKey;
        else if (isScalar(key)) id = key.value;
        else continue; // Collections and aliases as keys are never equal to each other (as in yaml).
        if (seen.has(id)) {
          offset = (isScalar(key) ? key.range?.[0] : undefined) ?? map.range?.[0] ?? 0;
          return visit.BREAK;
        }
        seen.add(id);
      }
      return undefined;
    },
  });
  return offset;
}
