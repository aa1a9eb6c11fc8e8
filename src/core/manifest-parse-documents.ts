/**
 * What a manifest file parses into, and how one parsed value (an object, a List, or something that
 * is not an object) is added to it, within the manifest set's object budget.
 */
import type { ManifestError, SkippedDocument, SourceLocation } from "./model.js";
import type { ManifestLimits } from "./manifest-limits.js";

/** A document that looks like a Kubernetes object (has string apiVersion and kind), not yet validated. */
export interface ParsedDocument {
  object: Record<string, unknown>;
  source: SourceLocation;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  skipped: SkippedDocument[];
  errors: ManifestError[];
}

/** How many more objects the manifest set may take. */
export interface Budget {
  remaining: number;
}

/** Adds one parsed value: an object, a List (expanded), or something skipped. False once the object budget is spent. */
export function addValue(
  file: string,
  value: unknown,
  source: SourceLocation,
  budget: Budget,
  limits: ManifestLimits,
  result: ParsedFile,
  itemLocation: (index: number) => SourceLocation | undefined,
): boolean {
  if (value === null) return true; // An empty document (`---` alone, or `null`) holds nothing.
  if (typeof value !== "object" || Array.isArray(value)) {
    const what = Array.isArray(value) ? "a list" : `a ${typeof value}`;
    result.skipped.push({ file, line: source.line, reason: `document is ${what}, not a Kubernetes object` });
    return true;
  }
  const object = value as Record<string, unknown>;
  const { apiVersion, kind } = object;
  if (apiVersion === undefined && kind === undefined) {
    result.skipped.push({
      file,
      line: source.line,
      reason: "no apiVersion or kind: not a Kubernetes object",
    });
    return true;
  }
  if (typeof apiVersion !== "string" || apiVersion === "" || typeof kind !== "string" || kind === "") {
    result.errors.push({
      file,
      line: source.line,
      column: source.column,
      message: "apiVersion and kind must both be non-empty strings",
    });
    return true;
  }
  if (apiVersion.startsWith("kustomize.config.k8s.io/")) {
    result.skipped.push({
      file,
      line: source.line,
      reason: "kustomize configuration: a build input, not an object",
    });
    return true;
  }
  if (isListKind(kind) && Array.isArray(object["items"])) {
    const items = object["items"] as unknown[];
    for (const [i, item] of items.entries()) {
      const location = itemLocation(i) ?? source;
      if (
        item !== null &&
        typeof item === "object" &&
        !Array.isArray(item) &&
        isListKind(String((item as Record<string, unknown>)["kind"]))
      ) {
        result.errors.push({
          file,
          line: location.line,
          column: location.column,
          message: "a List inside a List is not supported",
        });
        continue;
      }
      if (!addValue(file, item, location, budget, limits, result, () => undefined)) return false;
    }
    return true;
  }
  if (budget.remaining <= 0) {
    result.errors.push({
      file,
      line: source.line,
      message: `more than ${limits.maxObjects} objects in the manifest set; the rest is not read`,
    });
    return false;
  }
  budget.remaining--;
  result.documents.push({ object, source });
  return true;
}

/** `List`, and typed lists such as `ConfigMapList`, whose `items` are the objects. */
function isListKind(kind: string): boolean {
  return kind === "List" || (kind.endsWith("List") && kind.length > 4);
}
