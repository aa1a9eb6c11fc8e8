/**
 * The audit log's own canonical JSON. It is load-bearing (record hashes depend on it byte for
 * byte), so it lives here and is documented in docs/audit.md rather than shared:
 * - objects: keys sorted by UTF-16 code unit order (JavaScript's default sort), `undefined` members omitted;
 * - arrays: in order, `undefined` elements written as `null`;
 * - strings and numbers: as `JSON.stringify` writes them; no whitespace anywhere;
 * - non-finite numbers, bigints, functions, symbols, cycles and nesting deeper than 256 are rejected.
 */
import { createHash } from "node:crypto";

/** Deeper values are refused (hostile input must get an error, not a stack overflow). */
export const MAX_CANONICAL_DEPTH = 256;

export function canonicalJson(value: unknown): string {
  return write(value, new Set<object>(), 0);
}

/** sha256 (lowercase hex) of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function write(value: unknown, seen: Set<object>, depth: number): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new Error(`canonical JSON: non-finite number ${String(value)}`);
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new Error(`canonical JSON: cannot encode a ${typeof value}`);
  }
  if (seen.has(value)) throw new Error("canonical JSON: cyclic value");
  if (depth >= MAX_CANONICAL_DEPTH)
    throw new Error(`canonical JSON: nested deeper than ${MAX_CANONICAL_DEPTH}`);
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = `[${value.map((item) => (item === undefined ? "null" : write(item, seen, depth + 1))).join(",")}]`;
  } else {
    const entries = Object.keys(value as Record<string, unknown>)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${write((value as Record<string, unknown>)[key], seen, depth + 1)}`,
      );
    out = `{${entries.join(",")}}`;
  }
  seen.delete(value);
  return out;
}
