/**
 * Change sets: what differs between two manifest sets, with field-level deltas for display, and the
 * change-set digest that approvals bind to.
 */
import { create } from "jsondiffpatch";
import type { Delta } from "jsondiffpatch";
import { canonicalJson, sha256Hex } from "./canonical.js";
import { appendItem, appendKey, itemName } from "./field-path.js";
import type { Change, ChangeSet, FieldDelta, ManifestObject, ManifestSet, Operation } from "./model.js";

/**
 * Arrays of named items (containers, env, ports, volumes...) are matched by name; RBAC rules (items
 * with `verbs`) by content, so one added rule is one added rule wherever it sits; others by position.
 */
const differ = create({
  objectHash: (item: object, index?: number) =>
    itemName(item) ?? (isRbacRule(item) ? `$$rule:${canonicalJson(item)}` : `$$index:${index ?? 0}`),
  arrays: { detectMove: false, includeValueOnMove: false },
  cloneDiffValues: false,
});

/** One entry of the change-set digest. `afterDigest` is ignored (taken as "") for deletions. */
export interface DigestEntry {
  key: string;
  op: Operation;
  afterDigest: string;
}

/**
 * The change-set digest. LOAD-BEARING: the gate records it and the reconciler recomputes it.
 * Serialisation: entries sorted by `key` (then `op`, then `afterDigest`), comparing UTF-16 code
 * units (no locale); each entry written as the JSON array `[key, op, afterDigest]` with
 * `afterDigest` = "" for `delete`; the sorted arrays written as one JSON array with no whitespace
 * (canonicalJson), e.g. `[["apps/Deployment/web/api","update","ab12…"],["/Secret/web/db","delete",""]]`;
 * the digest is the lower-case hex sha256 of its UTF-8 bytes. The empty change set digests `[]`.
 */
export function changeSetDigest(entries: DigestEntry[]): string {
  const rows = entries.map((e): [string, string, string] => [
    e.key,
    e.op,
    e.op === "delete" ? "" : e.afterDigest,
  ]);
  rows.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]) || cmp(a[2], b[2]));
  return sha256Hex(canonicalJson(rows));
}

/** Diffs two manifest sets: creates, updates (with deltas) and deletes sorted by key; identical objects are only counted. */
export function diffManifestSets(base: ManifestSet, head: ManifestSet): ChangeSet {
  const changes: Change[] = [];
  let unchanged = 0;
  for (const [key, after] of head.objects) {
    const before = base.objects.get(key);
    if (!before) changes.push(makeChange("create", undefined, after));
    else if (before.digest === after.digest) unchanged++;
    else changes.push(makeChange("update", before, after));
  }
  for (const [key, before] of base.objects) {
    if (!head.objects.has(key)) changes.push(makeChange("delete", before, undefined));
  }
  changes.sort((a, b) => cmp(a.key, b.key));
  const digest = changeSetDigest(
    changes.map((c) => ({ key: c.key, op: c.op, afterDigest: c.after?.digest ?? "" })),
  );
  return { changes, unchanged, digest };
}

function makeChange(
  op: Operation,
  before: ManifestObject | undefined,
  after: ManifestObject | undefined,
): Change {
  const subject = (after ?? before) as ManifestObject;
  const deltas = op === "update" && before && after ? fieldDeltas(before.object, after.object) : [];
  // The digests differ, so something changed even when the differ cannot say what (a `__proto__`
  // key is invisible to it): show the whole object as replaced rather than an empty diff.
  if (op === "update" && before && after && deltas.length === 0)
    deltas.push({ path: "", op: "replace", before: before.object, after: after.object });
  const fields = [...new Set(deltas.map((d) => d.path))].sort(cmp);
  return {
    key: subject.key,
    op,
    group: subject.group,
    kind: subject.kind,
    namespace: subject.namespace,
    name: subject.name,
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    fields,
    deltas,
  };
}

/** Field-level deltas between two versions of one object, in document order of the diff. */
export function fieldDeltas(before: unknown, after: unknown): FieldDelta[] {
  const delta = differ.diff(before, after);
  const out: FieldDelta[] = [];
  if (delta !== undefined) walk(delta, before, after, "", out);
  return out;
}

function walk(delta: Delta, before: unknown, after: unknown, path: string, out: FieldDelta[]): void {
  if (Array.isArray(delta)) {
    if (delta.length === 1) out.push({ path, op: "add", after: delta[0] });
    else if (delta.length === 2) out.push({ path, op: "replace", before: delta[0], after: delta[1] });
    else if (delta.length === 3 && delta[2] === 0) out.push({ path, op: "remove", before: delta[0] });
    // Moves (detectMove off) and text diffs (no diff-match-patch) are never produced.
    return;
  }
  if (delta === null || typeof delta !== "object") return;
  const record = delta as Record<string, Delta>;
  if ((record as Record<string, unknown>)["_t"] === "a") {
    walkArray(record, Array.isArray(before) ? before : [], Array.isArray(after) ? after : [], path, out);
    return;
  }
  const left = isRecord(before) ? before : {};
  const right = isRecord(after) ? after : {};
  for (const [k, sub] of Object.entries(record)) walk(sub, left[k], right[k], appendKey(path, k), out);
}

/**
 * Array deltas. Without move detection a reordered named item shows up as removed and added
 * again; such pairs are diffed with each other so the report shows the field that changed.
 */
function walkArray(
  record: Record<string, Delta>,
  left: unknown[],
  right: unknown[],
  path: string,
  out: FieldDelta[],
): void {
  const removedByName = new Map<string, unknown>();
  const addedByName = new Map<string, unknown>();
  for (const [k, sub] of Object.entries(record)) {
    if (!Array.isArray(sub)) continue;
    if (k.startsWith("_") && k !== "_t" && sub.length === 3 && sub[2] === 0) {
      const name = itemName(sub[0]);
      if (name !== undefined) removedByName.set(name, sub[0]);
    } else if (!k.startsWith("_") && sub.length === 1) {
      const name = itemName(sub[0]);
      if (name !== undefined) addedByName.set(name, sub[0]);
    }
  }
  for (const [k, sub] of Object.entries(record)) {
    if (k === "_t") continue;
    const removal = k.startsWith("_");
    const index = Number(removal ? k.slice(1) : k);
    const item: unknown = removal ? left[index] : right[index];
    const name = itemName(item);
    if (name !== undefined && Array.isArray(sub) && removedByName.has(name) && addedByName.has(name)) {
      if (removal) continue; // Diffed once, from the addition.
      const moved = differ.diff(removedByName.get(name), item);
      if (moved !== undefined) walk(moved, removedByName.get(name), item, appendItem(path, index, item), out);
      continue;
    }
    // Modified items are addressed by the name they share, otherwise by position.
    walk(
      sub,
      removal ? item : matchBefore(left, index, item),
      removal ? undefined : item,
      appendItem(path, index, item),
      out,
    );
  }
}

function matchBefore(left: unknown[], index: number, item: unknown): unknown {
  const name = itemName(item);
  return name === undefined ? left[index] : left.find((x) => itemName(x) === name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRbacRule(item: object): boolean {
  return Array.isArray((item as Record<string, unknown>)["verbs"]);
}
