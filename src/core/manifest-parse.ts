/**
 * Parses one manifest file (multi-document YAML or JSON) into raw documents, skipped documents and
 * errors with file/line/column. Hostile input is bounded by ManifestLimits. Error messages never
 * quote the file's content (it may hold secrets): they say what was wrong and where.
 *
 * The work is split by concept: manifest-parse-json.ts, manifest-parse-yaml.ts (with
 * manifest-parse-yaml11.ts for YAML 1.1 scalars), manifest-parse-limits.ts (hostile input) and
 * manifest-parse-documents.ts (what a parsed value becomes), manifest-parse-text.ts (text that is
 * not UTF-8 or still a template).
 */
import { formatBytes } from "./manifest-limits.js";
import type { ManifestLimits } from "./manifest-limits.js";
import type { ParsedFile } from "./manifest-parse-documents.js";
import { parseJson } from "./manifest-parse-json.js";
import { parseYaml } from "./manifest-parse-yaml.js";
import { replacementCharacterAt, unrenderedTemplateAt } from "./manifest-parse-text.js";

export type { ParsedDocument, ParsedFile } from "./manifest-parse-documents.js";

export interface ParseFileOptions {
  limits: ManifestLimits;
  /** Real size in bytes when the reader did not read the file whole (it was too large). */
  size?: number;
  /** How many more objects the set may take; exceeding it is an error. Default: limits.maxObjects. */
  remainingObjects?: number;
}

/** Parses one file's text. JSON when the name ends in `.json`, YAML otherwise. Never throws on content. */
export function parseManifestFile(file: string, content: string, options: ParseFileOptions): ParsedFile {
  const result: ParsedFile = { documents: [], skipped: [], errors: [] };
  const { limits } = options;
  const size = options.size ?? Buffer.byteLength(content, "utf8");
  if (size > limits.maxFileBytes) {
    result.errors.push({
      file,
      message: `file is ${formatBytes(size)}, over the ${formatBytes(limits.maxFileBytes)} limit; not parsed`,
    });
    return result;
  }
  const undecodable = replacementCharacterAt(content);
  if (undecodable !== undefined) {
    result.errors.push({
      file,
      ...undecodable,
      message: "not valid UTF-8 text (kubectl refuses it too); not parsed",
    });
    return result;
  }
  const template = unrenderedTemplateAt(content);
  if (template !== undefined) {
    result.errors.push({
      file,
      ...template,
      message:
        "unrendered template syntax ({{ … }}); render it (helm template, kustomize build) before planning; not parsed",
    });
    return result;
  }
  const budget = { remaining: options.remainingObjects ?? limits.maxObjects };
  if (/\.json$/i.test(file)) parseJson(file, content, limits, budget, result);
  else parseYaml(file, content, limits, budget, result);
  return result;
}
