/** JSON manifests: parsed whole, with positions for errors and duplicate keys refused. */
import { jsonErrorOffset } from "./json-error-offset.js";
import type { ManifestLimits } from "./manifest-limits.js";
import { addValue } from "./manifest-parse-documents.js";
import type { Budget, ParsedFile } from "./manifest-parse-documents.js";
import { checkDepth } from "./manifest-parse-limits.js";
import { positionOf } from "./manifest-parse-text.js";

export function parseJson(
  file: string,
  content: string,
  limits: ManifestLimits,
  budget: Budget,
  result: ParsedFile,
): void {
  let value: unknown;
  try {
    // A UTF-8 byte-order mark (editors on Windows write one) is not part of the JSON text.
    value = JSON.parse(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
  } catch {
    const at = jsonErrorPosition(content);
    // The engine's message may quote the content; only the position is kept.
    result.errors.push({ file, ...at, message: "invalid JSON" });
    return;
  }
  const depthError = checkDepth(value, limits.maxDepth, false);
  if (depthError !== undefined) {
    result.errors.push({ file, line: 1, column: 1, message: depthError });
    return;
  }
  // JSON.parse keeps the last of two equal keys; YAML duplicates are errors, and so are these.
  const duplicate = jsonDuplicateKeyOffset(content);
  if (duplicate >= 0) {
    result.errors.push({ file, ...jsonErrorPosition(content, duplicate), message: "JSON duplicate key" });
    return;
  }
  addValue(file, value, { file, line: 1, column: 1, document: 0 }, budget, limits, result, () => undefined);
}

function jsonErrorPosition(content: string, at?: number): { line?: number; column?: number } {
  const offset = at ?? jsonErrorOffset(content);
  if (offset < 0) return {};
  return positionOf(content, offset);
}

/**
 * Offset of the first key repeated within one object of valid JSON text, or -1. One pass over the
 * text with a stack of key sets (the text has already parsed, so tokens are well formed).
 */
function jsonDuplicateKeyOffset(content: string): number {
  const stack: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      stack.push(undefined);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] !== undefined;
    } else if (c === 0x22) {
      const start = i;
      for (i++; i < content.length && content.charCodeAt(i) !== 0x22; i++)
        if (content.charCodeAt(i) === 0x5c) i++;
      const keys = stack[stack.length - 1];
      if (expectKey && keys !== undefined) {
        const key = JSON.parse(content.slice(start, i + 1)) as string;
        if (keys.has(key)) return start;
        keys.add(key);
        expectKey = false;
      }
    }
  }
  return -1;
}
