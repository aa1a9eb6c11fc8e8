/**
 * The server-side apply model of the fake API server: field ownership per field manager at
 * leaf-field granularity (maps are recursed, lists and scalars are atomic leaves), conflicts with
 * other managers on differing values, force, shared ownership of equal values, and removal of
 * fields a manager stops applying when nobody else owns them. See fake-kube-api.ts for what is
 * not modelled.
 */
import { isDeepStrictEqual } from "node:util";

type Obj = Record<string, unknown>;
export type FieldPath = string[];

export interface ManagedEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  /** JSON-encoded field paths. */
  fields: Set<string>;
}

export interface FieldConflict {
  manager: string;
  path: FieldPath;
}

/** Fields the server owns or that identify the object: never owned by a manager. */
const SERVER_METADATA = new Set([
  "name",
  "namespace",
  "resourceVersion",
  "uid",
  "creationTimestamp",
  "generation",
  "managedFields",
  "deletionTimestamp",
  "selfLink",
]);

function isMap(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Leaf paths of an object's user fields (apiVersion, kind, status and server metadata excluded). */
export function leaves(object: Obj): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (value: unknown, path: FieldPath) => {
    if (isMap(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    } else {
      out.set(JSON.stringify(path), value);
    }
  };
  for (const [k, v] of Object.entries(object)) {
    if (k === "apiVersion" || k === "kind" || k === "status") continue;
    if (k === "metadata" && isMap(v)) {
      for (const [mk, mv] of Object.entries(v)) if (!SERVER_METADATA.has(mk)) walk(mv, ["metadata", mk]);
      continue;
    }
    walk(v, [k]);
  }
  return out;
}

export function getAt(object: Obj, path: FieldPath): unknown {
  let cur: unknown = object;
  for (const p of path) {
    if (!isMap(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function setAt(object: Obj, path: FieldPath, value: unknown): void {
  let cur = object;
  for (const p of path.slice(0, -1)) {
    if (!isMap(cur[p])) cur[p] = {};
    cur = cur[p] as Obj;
  }
  cur[path[path.length - 1]!] = structuredClone(value);
}

function deleteAt(object: Obj, path: FieldPath): void {
  const parents: Obj[] = [object];
  let cur = object;
  for (const p of path.slice(0, -1)) {
    if (!isMap(cur[p])) return;
    cur = cur[p] as Obj;
    parents.push(cur);
  }
  delete cur[path[path.length - 1]!];
  // Maps left empty by the removal go too (but never the top-level metadata).
  for (let i = parents.length - 1; i >= 2; i--) {
    if (Object.keys(parents[i]!).length === 0) delete parents[i - 1]![path[i - 1]!];
  }
}

function entryFor(managed: ManagedEntry[], manager: string, operation: ManagedEntry["operation"]) {
  return managed.find((e) => e.manager === manager && e.operation === operation);
}

export interface ApplyResult {
  object: Obj;
  managed: ManagedEntry[];
  conflicts: FieldConflict[];
}

/** Server-side apply of `config` by `manager` onto `live` (undefined when creating). */
export function serverSideApply(
  live: Obj | undefined,
  managedBefore: ManagedEntry[],
  config: Obj,
  manager: string,
  force: boolean,
  now: string,
): ApplyResult {
  const managed = managedBefore.map((e) => ({ ...e, fields: new Set(e.fields) }));
  const applied = leaves(config);
  const conflicts: FieldConflict[] = [];
  const base = live ?? {};
  for (const [field, value] of applied) {
    for (const e of managed) {
      if (e.manager === manager || !e.fields.has(field)) continue;
      if (isDeepStrictEqual(getAt(base, JSON.parse(field) as FieldPath), value)) continue;
      if (force) e.fields.delete(field);
      else conflicts.push({ manager: e.manager, path: JSON.parse(field) as FieldPath });
    }
  }
  if (conflicts.length > 0) return { object: base, managed: managedBefore, conflicts };
  const object = structuredClone(base);
  const mine = entryFor(managed, manager, "Apply");
  for (const field of mine?.fields ?? []) {
    if (applied.has(field)) continue;
    if (managed.some((e) => e !== mine && e.fields.has(field))) continue;
    deleteAt(object, JSON.parse(field) as FieldPath);
  }
  for (const [field, value] of applied) setAt(object, JSON.parse(field) as FieldPath, value);
  const fields = new Set(applied.keys());
  const apiVersion = String(config["apiVersion"]);
  if (mine) {
    if (!isDeepStrictEqual(mine.fields, fields)) Object.assign(mine, { fields, time: now, apiVersion });
  } else if (fields.size > 0) {
    managed.push({ manager, operation: "Apply", apiVersion, time: now, fields });
  }
  return { object, managed: managed.filter((e) => e.fields.size > 0), conflicts };
}

/** An ordinary write (create, update) by `manager`: it takes every field whose value it changed. */
export function updateOwnership(
  live: Obj | undefined,
  managedBefore: ManagedEntry[],
  next: Obj,
  manager: string,
  now: string,
): ManagedEntry[] {
  const managed = managedBefore.map((e) => ({ ...e, fields: new Set(e.fields) }));
  const before = live ? leaves(live) : new Map<string, unknown>();
  const after = leaves(next);
  const changed = [...after]
    .filter(([f, v]) => !before.has(f) || !isDeepStrictEqual(before.get(f), v))
    .map(([f]) => f);
  for (const e of managed) {
    for (const f of e.fields) if (!after.has(f) || changed.includes(f)) e.fields.delete(f);
  }
  if (changed.length > 0) {
    let mine = entryFor(managed, manager, "Update");
    if (!mine) {
      mine = {
        manager,
        operation: "Update",
        apiVersion: String(next["apiVersion"]),
        time: now,
        fields: new Set(),
      };
      managed.push(mine);
    }
    for (const f of changed) mine.fields.add(f);
    mine.time = now;
  }
  return managed.filter((e) => e.fields.size > 0);
}

/** The `metadata.managedFields` rendering (FieldsV1: `{"f:metadata":{"f:labels":{"f:app":{}}}}`). */
export function renderManagedFields(managed: ManagedEntry[]): Obj[] {
  return managed.map((e) => {
    const tree: Obj = {};
    for (const field of e.fields) {
      let cur = tree;
      for (const p of JSON.parse(field) as FieldPath) {
        const k = `f:${p}`;
        cur[k] ??= {};
        cur = cur[k] as Obj;
      }
    }
    return {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: "FieldsV1",
      fieldsV1: tree,
    };
  });
}

export function sameOwnership(a: ManagedEntry[], b: ManagedEntry[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((e) => {
    const o = entryFor(b, e.manager, e.operation);
    return o !== undefined && isDeepStrictEqual(o.fields, e.fields);
  });
}
