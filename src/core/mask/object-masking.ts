/**
 * maskObject: a deep copy of a Kubernetes object (or anything JSON-like) with every secret replaced:
 * Secret `data`/`stringData`, `last-applied-configuration` and other annotations embedding JSON,
 * sensitive `env[].value`, fields whose key names a secret, and credential patterns in any string.
 */
import type { KubeObject } from "../model.js";
import { isPasswordKey, isSensitiveEnvName, isSensitiveKey } from "./sensitive-names.js";
import { placeholder } from "./text-scanner.js";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
/** Deeper than any real manifest; beyond it the rest is masked wholesale (also stops reference cycles). */
export const MAX_MASK_DEPTH = 200;
/** Embedded JSON larger than this is masked wholesale rather than parsed. */
const MAX_EMBEDDED_JSON = 1_000_000;

interface MaskFunctions {
  fingerprint(value: string): string;
  maskText(text: string): string;
}

type Json = unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * `out[key] = value`, except that a `__proto__` key (legal in YAML and JSON, kept as an own property
 * by both parsers and part of the digest) stays an own property instead of replacing the prototype,
 * which would hide its content from the report.
 */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** The placeholder for a whole value: strings are fingerprinted as is, anything else as JSON. */
function hide(value: unknown, f: MaskFunctions): string {
  let text: string;
  if (typeof value === "string") text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return placeholder(f.fingerprint(text));
}

/**
 * Any object of kind Secret, whatever its apiVersion claims or however the kind is cased (fail
 * closed: a look-alike such as `kind: secret` is masked too, even if the API server would refuse it).
 */
function isSecretObject(value: Record<string, unknown>): boolean {
  const kind = value["kind"];
  return typeof kind === "string" && kind.length === 6 && kind.toLowerCase() === "secret";
}

/** `{ a: "x" }` → `{ a: "<masked fp:…>" }`; a non-map value is hidden whole. */
function hideAllValues(value: unknown, f: MaskFunctions): unknown {
  if (!isRecord(value)) return value === undefined ? undefined : hide(value, f);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) put(out, k, hide(v, f));
  return out;
}

function maskAnnotation(key: string, value: unknown, f: MaskFunctions, depth: number): unknown {
  if (typeof value !== "string") return maskValue(value, f, depth + 1);
  if (key === LAST_APPLIED_ANNOTATION) return hide(value, f);
  // `example.com/api-token: …`: the name after the prefix says the value is a secret, whatever its shape.
  if (value !== "" && isSensitiveKey(key.slice(key.lastIndexOf("/") + 1))) return hide(value, f);
  const trimmed = value.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    if (value.length > MAX_EMBEDDED_JSON) return hide(value, f);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      // Looks like an embedded object but is not JSON we can read: fail closed.
      return hide(value, f);
    }
    return JSON.stringify(maskValue(parsed, f, depth + 1));
  }
  return f.maskText(value);
}

function maskAnnotations(value: unknown, f: MaskFunctions, depth: number): unknown {
  if (!isRecord(value)) return maskValue(value, f, depth + 1);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) put(out, k, maskAnnotation(k, v, f, depth + 1));
  return out;
}

function maskEnv(value: unknown[], f: MaskFunctions, depth: number): unknown[] {
  return value.map((item) => {
    if (!isRecord(item)) return maskValue(item, f, depth + 1);
    const name = item["name"];
    const masked = maskRecord(item, f, depth + 1, false) as Record<string, unknown>;
    if (typeof name === "string" && "value" in item && isSensitiveEnvName(name)) {
      masked["value"] = hide(item["value"], f);
    }
    return masked;
  });
}

function maskRecord(value: Record<string, unknown>, f: MaskFunctions, depth: number, top: boolean): unknown {
  const secret = isSecretObject(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (secret && (k === "data" || k === "stringData")) put(out, k, hideAllValues(v, f));
    else if (k === "metadata" && isRecord(v)) put(out, k, maskMetadata(v, f, depth + 1));
    else if (k === "annotations" && !top && isRecord(v)) put(out, k, maskAnnotations(v, f, depth + 1));
    else if (k === "env" && Array.isArray(v)) put(out, k, maskEnv(v, f, depth + 1));
    else if (typeof v === "string" && v !== "" && isSensitiveKey(k)) put(out, k, hide(v, f));
    // `adminPassword: 123456` parses as a number; a numeric password is a password all the same.
    else if (typeof v === "number" && isSensitiveKey(k) && isPasswordKey(k)) put(out, k, hide(v, f));
    else put(out, k, maskValue(v, f, depth + 1));
  }
  return out;
}

function maskMetadata(value: Record<string, unknown>, f: MaskFunctions, depth: number): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    put(out, k, k === "annotations" ? maskAnnotations(v, f, depth + 1) : maskValue(v, f, depth + 1));
  }
  return out;
}

/** `--password` or `-token` as a whole argument: the next argument is its value. */
function isSensitiveFlag(item: unknown): boolean {
  if (typeof item !== "string" || !item.startsWith("-") || item.length > 64 || item.includes("="))
    return false;
  const name = item.replace(/^-+/, "");
  return name !== "" && (isSensitiveKey(name) || isPasswordKey(name));
}

/** Arrays; in argument lists (`args: ["--password", "x"]`) the value after a sensitive flag is hidden. */
function maskArray(value: unknown[], f: MaskFunctions, depth: number): unknown[] {
  return value.map((item, i) => {
    const previous = i > 0 ? value[i - 1] : undefined;
    if (typeof item === "string" && !item.startsWith("-") && isSensitiveFlag(previous)) return hide(item, f);
    return maskValue(item, f, depth + 1);
  });
}

/** Masks any JSON-like value; `depth` counts nesting to bound hostile input. */
export function maskValue(value: Json, f: MaskFunctions, depth = 0): Json {
  // Too deep to walk: hidden whole, fingerprinted by content where it serialises (so a change still shows).
  if (depth > MAX_MASK_DEPTH) return hide(value, f);
  if (typeof value === "string") return f.maskText(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return maskArray(value, f, depth);
  return maskRecord(value as Record<string, unknown>, f, depth, depth === 0);
}

/** Deep copy of `object` with every secret masked; the input is never mutated. */
export function maskKubeObject(object: KubeObject, f: MaskFunctions): KubeObject {
  const masked = maskValue(object, f, 0);
  return isRecord(masked) ? masked : {};
}
