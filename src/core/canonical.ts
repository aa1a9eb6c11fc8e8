/**
 * Canonical JSON and content digests: the identity of what a human approved.
 * Everything here is load-bearing: the gate, the reconciler and the audit log recompute these
 * digests independently, so any change to the serialisation is a change to every recorded digest.
 */
import { createHash, createHmac } from "node:crypto";
import type { KubeObject } from "./model.js";

/** How canonicalJson treats `undefined` inside containers and how deep it goes. */
export interface CanonicalJsonOptions {
  /**
   * Omit object members whose value is `undefined` and write `undefined` array elements as `null`
   * (JSON.stringify's rule) instead of throwing. The audit log and the policy digest were
   * recorded with this rule, so they keep it; a top-level `undefined` still throws.
   */
  readonly undefinedAsAbsent?: boolean;
  /** Refuse values nested deeper than this (hostile input gets an error, not a stack overflow). */
  readonly maxDepth?: number;
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit (Array.prototype.sort default), no
 * insignificant whitespace, strings and numbers as JSON.stringify writes them. Only JSON values are
 * accepted (null, boolean, finite number, string, array, plain object); anything else (undefined,
 * NaN, Infinity, bigint, Date, Map, Uint8Array, functions, cycles) throws a TypeError naming the path.
 * `options.undefinedAsAbsent` relaxes the rule for `undefined` inside containers only.
 */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string {
  const parts: string[] = [];
  write(value, parts, "$", new Set<object>(), options, 0);
  return parts.join("");
}

function write(
  value: unknown,
  out: string[],
  path: string,
  stack: Set<object>,
  options: CanonicalJsonOptions,
  depth: number,
): void {
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
  if (options.maxDepth !== undefined && depth >= options.maxDepth)
    throw new TypeError(`canonical JSON: ${path} is nested deeper than ${options.maxDepth}`);
  stack.add(object);
  if (Array.isArray(object)) {
    out.push("[");
    for (let i = 0; i < object.length; i++) {
      if (i > 0) out.push(",");
      const item: unknown = object[i];
      if (item === undefined && options.undefinedAsAbsent === true) out.push("null");
      else write(item, out, `${path}[${i}]`, stack, options, depth + 1);
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
      if (child === undefined && options.undefinedAsAbsent === true) continue;
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key), ":");
      write(child, out, `${path}.${key}`, stack, options, depth + 1);
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

/**
 * The deployment's key for the digests of Secrets: COUNTERSIGN_FINGERPRINT_KEY, the key of the
 * masker's fingerprints (docs/masking.md "Digests of Secrets").
 */
export type SecretDigestKey = Uint8Array | string;

/** Domain of keyed Secret digests, so they can never equal an HMAC made with the same key for another use. */
const SECRET_DIGEST_DOMAIN = "countersign secret digest v1\n";

/** A Secret in any casing of its kind, in any group: fail safe on near-misses (`secret`, `SECRET`). */
export function isSecretKind(kind: unknown): boolean {
  return typeof kind === "string" && kind.toLowerCase() === "secret";
}

/**
 * Digest of content whose server-owned fields are already stripped. A Secret's digest is keyed:
 * HMAC-SHA256 with the deployment's key over its canonical JSON, so digests that leave the
 * process (approval records, check runs, audit records) cannot be used to guess a Secret's
 * values offline, wherever they appear in the object (`data`, `stringData`, an annotation that
 * copies them). Everything else, and a Secret when no key is given (local tools, tests), is the
 * plain sha256 of the canonical JSON. The gate, the reconciler and the audit log match approved
 * to applied content as long as they share the key.
 */
export function contentDigest(stored: KubeObject, secretKey?: SecretDigestKey): string {
  const json = canonicalJson(stored);
  if (secretKey === undefined || !isSecretKind(stored["kind"])) return sha256Hex(json);
  const key = typeof secretKey === "string" ? Buffer.from(secretKey, "utf8") : secretKey;
  if (key.length === 0) throw new TypeError("digesting a Secret: the key must not be empty");
  return createHmac("sha256", key)
    .update(SECRET_DIGEST_DOMAIN + json, "utf8")
    .digest("hex");
}

/** Digest of `obj` after server-owned fields are removed (keyed for Secrets when a key is given; see contentDigest). */
export function objectDigest(obj: KubeObject, secretKey?: SecretDigestKey): string {
  return contentDigest(stripServerFields(obj), secretKey);
}
