/**
 * The audit log's canonical JSON: the core's (src/core/canonical.ts) with the two rules the log
 * was written with, documented in docs/audit.md. Record hashes depend on it byte for byte:
 * - objects: keys sorted by UTF-16 code unit order (JavaScript's default sort), `undefined` members omitted;
 * - arrays: in order, `undefined` elements written as `null`;
 * - strings and numbers: as `JSON.stringify` writes them; no whitespace anywhere;
 * - non-finite numbers, bigints, functions, symbols, cycles, objects that are not plain and
 *   nesting deeper than 256 are rejected.
 */
import { canonicalJson as coreCanonicalJson } from "../canonical.js";

export { sha256Hex } from "../canonical.js";

/** Deeper values are refused (hostile input must get an error, not a stack overflow). */
export const MAX_CANONICAL_DEPTH = 256;

export function canonicalJson(value: unknown): string {
  return coreCanonicalJson(value, { undefinedAsAbsent: true, maxDepth: MAX_CANONICAL_DEPTH });
}
