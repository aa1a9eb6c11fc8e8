/**
 * Checks that bound hostile input before and after parsing: nesting depth, alias floods and cycles.
 * The cheap pre-parse checks exist because the YAML composer itself recurses or slows down on them.
 */
import { Lexer, visit } from "yaml";
import type { Document } from "yaml";

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
export function aliasProblem(doc: Document.Parsed, maxAliasCount: number): string | undefined {
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
export function aliasesExceed(content: string, maxAliasCount: number): boolean {
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
export function flowDepthExceeds(content: string, maxDepth: number): boolean {
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
export function compactChainExceeds(content: string, maxDepth: number): boolean {
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
