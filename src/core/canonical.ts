/**
 * Canonical JSON and content digests: the identity of what a human approved.
 * Everything here is load-bearing: the gate, the reconciler and the audit log recompute these
 * digests independently, so any change to the serialisation is a change to every recorded digest.
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "./model.js";

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit (Array.prototype.sort default), no
 * insignificant whitespace, strings and numbers as JSON.stringify writes them. Only JSON values are
 * accepted (null, boolean, finite number, string, array, plain object); anything else (undefined,
 * NaN, Infinity, bigint, Date, Map, Uint8Array, functions, cycles) throws a TypeError naming the path.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, "$", new Set<object>());
  return parts.join("");
}

function write(value: unknown, out: string[], path: string, stack: Set<object>): void {
  if (value === null) {
    out.push("null");
    return;
  }
  switch (typeof value) {
    case "string":
      out.push(JSON.stringify(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${path} is not a finite number`);
      out.push(JSON.stringify(value));
      return;
    case "object":
      break;
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}, not a JSON value`);
  }
  const object = value as object;
  if (stack.has(object)) throw new TypeError(`canonical JSON: ${path} is a circular reference`);
  stack.add(object);
  if (Array.isArray(object)) {
    out.push("[");
    for (let i = 0; i < object.length; i++) {
      if (i > 0) out.push(",");
      write(object[i], out, `${path}[${i}]`, stack);
    }
    out.push("]");
  } else {
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (object.constructor as { name?: string } | undefined)?.name ?? "object";
      throw new TypeError(`canonical JSON: ${path} is a ${name}, not a plain object`);
    }
    const record = object as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out.push("{");
    let first = true;
    for (const key of keys) {
      const child = record[key];
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key), ":");
      write(child, out, `${path}.${key}`, stack);
    }
    out.push("}");
  }
  stack.delete(object);
}

/** sha256 of the UTF-8 bytes of `text`, lower-case hex. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** metadata fields the API server owns; they are never part of what a human approves. */
export const SERVER_METADATA_FIELDS = [
  "managedFields",
  "resourceVersion",
  "uid",
  "generation",
  "creationTimestamp",
  "selfLink",
] as const;

/**
 * A shallow-copied object without the fields the server owns: `status` and
 * `metadata.{managedFields,resourceVersion,uid,generation,creationTimestamp,selfLink}`.
 * The `kubectl.kubernetes.io/last-applied-configuration` annotation is deliberately kept: it is
 * content a manifest author wrote (and the cluster would store), so a change to it must change the
 * digest; the masker hides its value from people. The input is not modified.
 */
export function stripServerFields(obj: KubeObject): KubeObject {
  const { status: _status, ...rest } = obj;
  const metadata = rest["metadata"];
  if (metadata !== null && typeof metadata === "object" && !Array.isArray(metadata)) {
    const copy: Record<string, unknown> = { ...(metadata as Record<string, unknown>) };
    for (const field of SERVER_METADATA_FIELDS) delete copy[field];
    rest["metadata"] = copy;
  }
  return rest;
}

/** sha256 (hex) of the canonical JSON of `obj` after server-owned fields are removed. */
export function objectDigest(obj: KubeObject): string {
  return sha256Hex(canonicalJson(stripServerFields(obj)));
}
