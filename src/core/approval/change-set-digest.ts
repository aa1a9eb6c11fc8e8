import { createHash } from "node:crypto";
import type { Operation } from "../model.js";

/**
 * Local adapter until src/core/change-set.ts (`changeSetDigest`) lands: sha256 over the
 * (key, op, afterDigest) entries sorted by key, one NUL-separated line each.
 * TODO: re-export `changeSetDigest` from "../change-set.js" once it exists, so both agree byte for byte.
 */
export function changeSetDigest(entries: { key: string; op: Operation; afterDigest: string }[]): string {
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const hash = createHash("sha256");
  for (const e of sorted) hash.update(`${e.key}\u0000${e.op}\u0000${e.afterDigest}\n`);
  return hash.digest("hex");
}
