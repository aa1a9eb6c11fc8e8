/**
 * Parses one manifest file (multi-document YAML or JSON) into raw documents, skipped documents and
 * errors with file/line/column. Hostile input is bounded by ManifestLimits. Error messages never
 * quote the file's content (it may hold secrets): they say what was wrong and where.
 */
import { LineCounter, Lexer, parseAllDocuments, isMap, isSeq, visit } from "yaml";
import type { Document } from "yaml";
import type { ManifestError, SkippedDocument, SourceLocation } from "./model.js";
import { jsonErrorOffset } from "./json-error-offset.js";
import { duplicateKeyOffset } from "./yaml-duplicate-keys.js";
import { formatBytes } from "./manifest-limits.js";
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
  const budget = { remaining: options.remainingObjects ?? limits.maxObjects };
  if (/\.json$/i.test(file)) parseJson(file, content, limits, budget, result);
  else parseYaml(file, content, limits, budget, result);
  return result;
}

interface Budget {
  remaining: number;
}

function parseJson(
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
  let line = 1;
  let lineStart = 0;
  for (let i = content.indexOf("\n"); i >= 0 && i < offset; i = content.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
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

function parseYaml(
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
 * `0644` is octal (420), as YAML 1.1 and so kubectl (sigs.k8s.io/yaml) read it; YAML 1.2's core
 * schema would read 644, so a Secret volume's `defaultMode: 0400` (owner read-only) would become
 * 0o620 (group-writable) when applied. Checked before the core schema's decimal integers.
 */
const LEGACY_OCTAL = {
  identify: () => false, // parsing only: never chosen to write a number
  default: true,
  tag: "tag:yaml.org,2002:int",
  test: /^[-+]?0[0-7]+$/,
  resolve: (source: string) => (source.startsWith("-") ? -1 : 1) * parseInt(source.replace(/^[-+]?0/, ""), 8),
};

/**
 * `yes`, `on`, `y` (and `no`, `off`, `n`, in their three casings) are booleans, as YAML 1.1 and so
 * kubectl read them; YAML 1.2's core schema reads strings, so `privileged: on` would slip past
 * every rule that looks for `true` while the cluster ran the container privileged.
 */
const LEGACY_BOOL = {
  identify: () => false, // parsing only: never chosen to write a boolean
  default: true,
  tag: "tag:yaml.org,2002:bool",
  test: /^(?:y|Y|yes|Yes|YES|on|On|ON|n|N|no|No|NO|off|Off|OFF)$/,
  resolve: (source: string) => /^(?:y|yes|on)$/i.test(source),
};

/** Adds one parsed value: an object, a List (expanded), or something skipped. False once the object budget is spent. */
function addValue(
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

/**
 * Depth of nested maps/lists, iteratively (no recursion on hostile input). Returns an error text
 * when too deep. YAML aliases make the value a graph (shared or even circular nodes): a node is
 * walked again only when reached deeper than before, so the walk is bounded by nodes × maxDepth
 * and a cycle is reported as too deep instead of being followed forever.
 */
export function checkDepth(value: unknown, maxDepth: number, graph = true): string | undefined {
  // Without aliases the value is a tree: nothing is reached twice, so no bookkeeping is needed.
  const deepest = graph ? new Map<object, number>() : undefined;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== "object") continue;
    if (depth >= maxDepth) return `nesting deeper than ${maxDepth} levels (or a circular alias)`;
    if (deepest) {
      const seen = deepest.get(node);
      if (seen !== undefined && seen >= depth) continue;
      deepest.set(node, depth);
    }
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children)
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return undefined;
}

/**
 * Aliases are checked before conversion: the YAML library's own alias limit does not stop an alias
 * inside the node it refers to (a cycle), whose conversion takes cubic time.
 */
function aliasProblem(doc: Document.Parsed, maxAliasCount: number): string | undefined {
  let count = 0;
  let problem: string | undefined;
  visit(doc, {
    Alias(_key, node, path) {
      if (++count > maxAliasCount) {
        problem = `too many YAML aliases (limit ${maxAliasCount} per document)`;
        return visit.BREAK;
      }
      // Inside a node carrying the alias's own anchor: a cycle. (`node.resolve` would search the
      // whole document on every alias.)
      if (path.some((ancestor) => (ancestor as { anchor?: string }).anchor === node.source)) {
        problem = "a YAML alias refers to a node that contains it (circular)";
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return problem;
}

/**
 * A cheap upper bound checked before parsing, because composing hundreds of thousands of aliases
 * is itself slow: more alias-like `*name` tokens than the limit allows for the file's documents,
 * and never more than ten documents' worth per file (manifests rarely use aliases at all).
 */
function aliasesExceed(content: string, maxAliasCount: number): boolean {
  let aliases = 0;
  let documents = 1;
  for (let i = content.indexOf("*"); i >= 0; i = content.indexOf("*", i + 1)) {
    const before = i === 0 ? 0x20 : content.charCodeAt(i - 1);
    if (before === 0x20 || before === 0x5b || before === 0x2c || before === 0x7b || before === 0x0a)
      aliases++;
  }
  if (aliases <= maxAliasCount) return false;
  for (let i = content.indexOf("\n---"); i >= 0; i = content.indexOf("\n---", i + 1)) documents++;
  return aliases > maxAliasCount * Math.min(documents, 10);
}

/**
 * True when flow collections (`[`/`{`) nest deeper than maxDepth. The YAML composer recurses on flow
 * nesting and runs out of memory on a few hundred thousand levels, so this is checked first: cheaply
 * when the text has few brackets, with the YAML lexer (linear, quote-aware) otherwise.
 */
function flowDepthExceeds(content: string, maxDepth: number): boolean {
  let openers = 0;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) openers++;
  }
  if (openers <= maxDepth) return false;
  let depth = 0;
  for (const token of new Lexer().lex(content)) {
    if (token === "[" || token === "{") {
      if (++depth > maxDepth) return true;
    } else if ((token === "]" || token === "}") && depth > 0) depth--;
  }
  return false;
}

/**
 * True when a line chains more than maxDepth compact block indicators (`- - - x`, `? ? x`): each
 * opens a nested collection without indentation, and the composer recurses on them too.
 */
function compactChainExceeds(content: string, maxDepth: number): boolean {
  let chain = 0;
  let atLineStart = true;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c === 0x0a) {
      chain = 0;
      atLineStart = true;
    } else if (!atLineStart) {
      continue;
    } else if (c === 0x20 || c === 0x09) {
      continue;
    } else if (
      (c === 0x2d || c === 0x3f || c === 0x3a) &&
      (content.charCodeAt(i + 1) === 0x20 || content.charCodeAt(i + 1) === 0x09)
    ) {
      if (++chain > maxDepth) return true;
      i++;
    } else {
      atLineStart = false;
    }
  }
  return false;
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
