/** "Which fields changed": leaf paths that differ between two objects, in Change.fields notation. */
import { getPath } from "./helpers.js";

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function joinPath(base: string, segment: string): string {
  if (base === "") return segment.startsWith(".") ? segment.slice(1) : segment;
  return base + segment;
}

function namedList(items: unknown[]): Map<string, unknown> | undefined {
  const byName = new Map<string, unknown>();
  for (const item of items) {
    if (!isObj(item) || typeof item["name"] !== "string" || byName.has(item["name"])) return undefined;
    byName.set(item["name"], item);
  }
  return byName;
}

const MAX_FIELDS = 1000;

function diff(before: unknown, after: unknown, path: string, out: string[]): void {
  if (out.length >= MAX_FIELDS || before === after) return;
  if (isObj(before) && isObj(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of [...keys].sort()) diff(before[key], after[key], joinPath(path, keySegment(key)), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = namedList(before);
    const b = namedList(after);
    if (a !== undefined && b !== undefined && (a.size > 0 || b.size > 0)) {
      const names = new Set([...a.keys(), ...b.keys()]);
      for (const name of [...names].sort()) diff(a.get(name), b.get(name), `${path}[name=${name}]`, out);
      return;
    }
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) diff(before[i], after[i], `${path}[${i}]`, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push(path);
}

const fieldCache = new WeakMap<object, WeakMap<object, string[]>>();

/**
 * Leaf field paths that differ between two objects, sorted, in the notation of Change.fields
 * (`spec.template.spec.containers[name=web].image`). Capped at 1000 paths.
 */
export function changedFields(before: unknown, after: unknown): string[] {
  if (!isObj(before) || !isObj(after)) return [];
  let inner = fieldCache.get(before);
  const cached = inner?.get(after);
  if (cached !== undefined) return cached;
  const out: string[] = [];
  diff(before, after, "", out);
  out.sort();
  if (inner === undefined) {
    inner = new WeakMap();
    fieldCache.set(before, inner);
  }
  inner.set(after, out);
  return out;
}

/** Whether the value at a dotted path differs between two objects (an absent side counts as different). */
export function fieldChanged(before: unknown, after: unknown, path: string): boolean {
  const a = getPath(before, path);
  const b = getPath(after, path);
  if (a === b) return false;
  return JSON.stringify(a) !== JSON.stringify(b);
}

function segments(path: string): string[] {
  return path.split(".");
}

/** True when a path (as segments) lies under one of the prefixes; `*` in a prefix matches any one segment. */
function under(path: readonly string[], prefixes: readonly string[][]): boolean {
  return prefixes.some((p) => p.length <= path.length && p.every((seg, i) => seg === "*" || seg === path[i]));
}

/** Finds a difference outside the prefixes, stopping at the first one. Lists are walked by name or index. */
function differsOutside(a: unknown, b: unknown, path: string[], prefixes: readonly string[][]): boolean {
  if (a === b || under(path, prefixes)) return false;
  if (isObj(a) && isObj(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      path.push(key);
      const differs = differsOutside(a[key], b[key], path, prefixes);
      path.pop();
      if (differs) return true;
    }
    return false;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return true;
    const byNameA = namedList(a);
    const byNameB = namedList(b);
    if (byNameA !== undefined && byNameB !== undefined && byNameA.size > 0) {
      for (const [name, item] of byNameA) {
        if (!byNameB.has(name)) return true;
        path.push(name);
        const differs = differsOutside(item, byNameB.get(name), path, prefixes);
        path.pop();
        if (differs) return true;
      }
      return false;
    }
    for (let i = 0; i < a.length; i++) {
      path.push(String(i));
      const differs = differsOutside(a[i], b[i], path, prefixes);
      path.pop();
      if (differs) return true;
    }
    return false;
  }
  return JSON.stringify(a) !== JSON.stringify(b);
}

/**
 * Whether the two objects differ, and only under the given dotted prefixes (`metadata.labels`;
 * list elements are named by their `name` or index, and `*` matches any one segment, as in
 * `spec.template.spec.containers.*.image`). Stops at the first difference outside them.
 */
export function onlyChanged(before: unknown, after: unknown, prefixes: readonly string[]): boolean {
  if (!isObj(before) || !isObj(after)) return false;
  if (differsOutside(before, after, [], prefixes.map(segments))) return false;
  return JSON.stringify(before) !== JSON.stringify(after);
}

const SEGMENT = /^(?:\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[name=([^\]]*)\]|\[("(?:[^"\\]|\\.)*")\])/;

/** Found: the value at the path (possibly undefined when the last key is absent); not found: the path is malformed. */
export type PathValue = { found: true; value: unknown } | { found: false };

/**
 * The value at a field path in Change.fields notation: `spec.containers[name=web].image`,
 * `metadata.annotations["a.b/c"]`, `rules[0].verbs`. Malformed paths are reported as not found.
 */
export function valueAt(object: unknown, path: string): PathValue {
  let current: unknown = object;
  let rest = path;
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest);
    if (m === null) return { found: false };
    rest = rest.slice(m[0].length);
    if (m[1] !== undefined || m[4] !== undefined) {
      let key = m[1];
      if (key === undefined) {
        try {
          key = JSON.parse(m[4] ?? "") as string;
        } catch {
          return { found: false };
        }
      }
      current = isObj(current) ? current[key] : undefined;
    } else if (m[2] !== undefined) {
      current = Array.isArray(current) ? (current as unknown[])[Number(m[2])] : undefined;
    } else {
      const name = m[3];
      current = Array.isArray(current)
        ? (current as unknown[]).find((item) => isObj(item) && item["name"] === name)
        : undefined;
    }
  }
  return { found: true, value: current };
}
