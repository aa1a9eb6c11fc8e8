/** YAML manifests: multi-document, bounded against hostile input, errors without file content. */
import { LineCounter, parseAllDocuments, isMap, isSeq } from "yaml";
import type { Document } from "yaml";
import type { SourceLocation } from "./model.js";
import { duplicateKeyOffset } from "./yaml-duplicate-keys.js";
import type { ManifestLimits } from "./manifest-limits.js";
import { addValue } from "./manifest-parse-documents.js";
import type { Budget, ParsedFile } from "./manifest-parse-documents.js";
import {
  aliasProblem,
  aliasesExceed,
  checkDepth,
  compactChainExceeds,
  flowDepthExceeds,
} from "./manifest-parse-limits.js";
import { LEGACY_BOOL, LEGACY_OCTAL } from "./manifest-parse-yaml11.js";

export function parseYaml(
  file: string,
  content: string,
  limits: ManifestLimits,
  budget: Budget,
  result: ParsedFile,
): void {
  const tooDeep = flowDepthExceeds(content, limits.maxDepth) || compactChainExceeds(content, limits.maxDepth);
  if (!tooDeep && aliasesExceed(content, limits.maxAliasCount)) {
    result.errors.push({
      file,
      message: `too many YAML aliases (limit ${limits.maxAliasCount} per document); not parsed`,
    });
    return;
  }
  if (tooDeep) {
    result.errors.push({ file, message: `nesting deeper than ${limits.maxDepth} levels; not parsed` });
    return;
  }
  const lineCounter = new LineCounter();
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(content, {
      lineCounter,
      prettyErrors: false,
      // yaml's own check compares every key with every earlier one (quadratic: a 2.5 MB map of
      // 200,000 keys takes minutes); duplicateKeyOffset does it in linear time after parsing.
      uniqueKeys: false,
      merge: true,
      customTags: (tags) => [LEGACY_OCTAL, LEGACY_BOOL, ...tags],
    });
  } catch (error) {
    result.errors.push({ file, message: `YAML could not be parsed (${errorName(error)})` });
    return;
  }
  const at = (offset: number | undefined): { line: number; column: number } => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, column: pos.col };
  };
  // Anchors are rare in manifests; only documents of a file that has `&` need the alias check.
  const mayHaveAnchors = content.includes("&");
  for (const [index, doc] of documents.entries()) {
    if (result.errors.length >= limits.maxErrorsPerFile) {
      result.errors.push({
        file,
        message: `more than ${limits.maxErrorsPerFile} errors; rest of the file not read`,
      });
      return;
    }
    const start = doc.contents?.range[0] ?? doc.range[0];
    const source: SourceLocation = { file, ...at(start), document: index };
    if (doc.errors.length > 0) {
      for (const error of doc.errors.slice(0, 3)) {
        result.errors.push({
          file,
          ...at(error.pos[0]),
          message: `YAML ${yamlErrorText(error.code, error.message)}`,
        });
      }
      continue;
    }
    if (doc.contents === null) continue; // An empty document (e.g. a trailing `---`) holds nothing.
    const duplicate = duplicateKeyOffset(doc);
    if (duplicate !== undefined) {
      result.errors.push({ file, ...at(duplicate), message: "YAML duplicate key: Map keys must be unique" });
      continue;
    }
    const aliasError = mayHaveAnchors ? aliasProblem(doc, limits.maxAliasCount) : undefined;
    if (aliasError !== undefined) {
      result.errors.push({ file, line: source.line, column: source.column, message: aliasError });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (error) {
      const why = /alias/i.test(errorMessage(error))
        ? `too many YAML aliases (limit ${limits.maxAliasCount} per document)`
        : `YAML could not be converted (${errorName(error)})`;
      result.errors.push({ file, line: source.line, column: source.column, message: why });
      continue;
    }
    const depthError = checkDepth(value, limits.maxDepth, mayHaveAnchors);
    if (depthError !== undefined) {
      result.errors.push({ file, line: source.line, column: source.column, message: depthError });
      continue;
    }
    const itemLocation = (i: number): SourceLocation | undefined => {
      const items = isMap(doc.contents) ? doc.contents.get("items", true) : undefined;
      const node = isSeq(items) ? items.items[i] : undefined;
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      return range ? { file, ...at(range[0]), document: index } : undefined;
    };
    if (!addValue(file, value, source, budget, limits, result, itemLocation)) return;
  }
}

/**
 * yaml messages whose wording interpolates content from the file (a token, a tag, an escape, a
 * version) somewhere other than after a `: `; only their fixed part is kept.
 */
const QUOTING_MESSAGES: readonly (readonly [RegExp, string])[] = [
  [/^Invalid escape sequence/, "Invalid escape sequence"],
  [/^Unexpected /, "Unexpected token"],
  [/^Unsupported YAML version/, "Unsupported YAML version"],
  [/^Unknown directive/, "Unknown directive"],
  [/^Verbatim tags/, "Verbatim tags are not resolved"],
  [/^The (?!: indicator)/, "A tag has no suffix"],
  [/^Anchors and tags must be after/, "Anchors and tags must be after the indicator"],
];

/**
 * The library's message without any part of the file: yaml appends the offending source after a
 * `: ` ("Not a YAML token: <line>", "Unresolved tag: !x"), and a few messages embed it mid-text.
 * The source may be a secret (a malformed `password:` line), so only the fixed wording is kept.
 */
function yamlErrorText(code: string, message: string): string {
  let first = message.split("\n")[0] ?? "";
  // "The : indicator must be at most 1024 chars after …" is the one fixed text holding `: `.
  const colon = first.startsWith("The : indicator") ? -1 : first.indexOf(": ");
  if (colon >= 0) first = first.slice(0, colon);
  for (const [pattern, fixed] of QUOTING_MESSAGES) if (pattern.test(first)) first = fixed;
  const what = code.toLowerCase().replace(/_/g, " ");
  return first === "" ? what : `${what}: ${first.slice(0, 200)}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
