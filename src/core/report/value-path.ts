/**
 * Reads a value at a field path in the notation of src/core/field-path.ts:
 * `spec.template.spec.containers[name=web].image`, `metadata.labels["app.kubernetes.io/name"]`,
 * `spec.ports[0].port`, `[name="odd name"]`. Used to look deltas up in the masked object.
 */

type Segment = { key: string } | { index: number } | { name: string };

/** Parses a field path into segments, or undefined when it is not in the notation. */
export function parseFieldPath(path: string): Segment[] | undefined {
  const segments: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    if (c === ".") {
      if (segments.length === 0) return undefined;
      i++;
      continue;
    }
    if (c === "[") {
      const parsed = parseBracket(path, i + 1);
      if (parsed === undefined) return undefined;
      segments.push(parsed.segment);
      i = parsed.next;
      continue;
    }
    let end = i;
    while (end < path.length && path[end] !== "." && path[end] !== "[") end++;
    segments.push({ key: path.slice(i, end) });
    i = end;
  }
  return segments;
}

/** Reads a JSON string literal starting at `start` (a `"`); returns its value and the index after it. */
function readJsonString(path: string, start: number): { value: string; next: number } | undefined {
  let end = start + 1;
  while (end < path.length && path[end] !== '"') end += path[end] === "\\" ? 2 : 1;
  if (end >= path.length) return undefined;
  try {
    return { value: JSON.parse(path.slice(start, end + 1)) as string, next: end + 1 };
  } catch {
    return undefined;
  }
}

function parseBracket(path: string, start: number): { segment: Segment; next: number } | undefined {
  if (path[start] === '"') {
    const s = readJsonString(path, start);
    if (s === undefined || path[s.next] !== "]") return undefined;
    return { segment: { key: s.value }, next: s.next + 1 };
  }
  if (path.startsWith("name=", start)) {
    const at = start + 5;
    if (path[at] === '"') {
      const s = readJsonString(path, at);
      if (s === undefined || path[s.next] !== "]") return undefined;
      return { segment: { name: s.value }, next: s.next + 1 };
    }
    const close = path.indexOf("]", at);
    if (close < 0) return undefined;
    return { segment: { name: path.slice(at, close) }, next: close + 1 };
  }
  const close = path.indexOf("]", start);
  if (close < 0) return undefined;
  const digits = path.slice(start, close);
  if (!/^[0-9]{1,9}$/.test(digits)) return undefined;
  return { segment: { index: Number(digits) }, next: close + 1 };
}

/** The value at `segments` in `root`, or `{ found: false }`. */
export function valueAt(root: unknown, segments: readonly Segment[]): { found: boolean; value?: unknown } {
  let v: unknown = root;
  for (const seg of segments) {
    if (v === null || typeof v !== "object") return { found: false };
    if ("key" in seg) {
      if (Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, seg.key)) return { found: false };
      v = (v as Record<string, unknown>)[seg.key];
    } else if ("index" in seg) {
      if (!Array.isArray(v) || seg.index >= v.length) return { found: false };
      v = v[seg.index];
    } else {
      if (!Array.isArray(v)) return { found: false };
      v = v.find(
        (item) => item !== null && typeof item === "object" && (item as { name?: unknown }).name === seg.name,
      );
      if (v === undefined) return { found: false };
    }
  }
  return { found: true, value: v };
}
