/**
 * maskObject: a deep copy of a Kubernetes object (or anything JSON-like) with every secret replaced:
 * Secret `data`/`stringData`, `last-applied-configuration` and other annotations embedding JSON,
 * sensitive `env[].value`, fields whose key names a secret, and credential patterns in any string.
 */
import type { KubeObject } from "../model.js";
import { isDescriptiveName, isSensitiveKey, nameSensitivity, nameWords } from "./sensitive-names.js";
import type { Sensitivity } from "./sensitive-names.js";
import { secretWords } from "./shell-patterns.js";
import { SpanSink } from "./span.js";
import type { Word } from "./shell-patterns.js";
import { placeholder } from "./text-scanner.js";
import { judge } from "./value-judge.js";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
/** Deeper than any real manifest; beyond it the rest is masked wholesale (also stops reference cycles). */
export const MAX_MASK_DEPTH = 200;
/** Embedded JSON larger than this is masked wholesale rather than parsed. */
const MAX_EMBEDDED_JSON = 1_000_000;

interface MaskFunctions {
  fingerprint(value: string): string;
  maskText(text: string): string;
  /** maskText without the random-token fallback: for values named as identifiers (`clientId`, `revision`). */
  maskIdentifier?(text: string): string;
}

/** Last words naming an identifier, digest or version: random-looking by nature, not secret. */
const IDENTIFIER_WORDS = new Set([
  "id",
  "ids",
  "uid",
  "uuid",
  "hash",
  "sha",
  "digest",
  "checksum",
  "revision",
  "commit",
  "version",
  "image",
  "tag",
  "fingerprint",
  "thumbprint",
  "etag",
  "resourceversion",
  "generation",
  "serial",
  "nonce",
]);

/** Maps of login → password (`users: {admin: pw}`): every value is a password. */
const LOGIN_MAPS = new Set([
  "users",
  "accounts",
  "logins",
  "staticusers",
  "basicauthusers",
  "htpasswd",
  "passwords",
  "userpasswords",
]);

/** A string field's masked form, judged by its key and its shape. */
function maskField(
  key: string,
  value: string,
  f: MaskFunctions,
  sensitivity: Sensitivity = nameSensitivity(key),
  wordyIsBenign = true,
): string {
  if (value === "") return value;
  const verdict = judge(key, value, sensitivity, wordyIsBenign);
  if (verdict === "mask") return hide(value, f);
  if (verdict === "keep") return value;
  const words = nameWords(key);
  const last = words[words.length - 1];
  if (last !== undefined && IDENTIFIER_WORDS.has(last) && f.maskIdentifier) return f.maskIdentifier(value);
  return f.maskText(value);
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

/** The name of a `{name, value}` (or `{key, value}`) item of an env-like list, if it is one. */
function entryName(item: Record<string, unknown>): string | undefined {
  if (!("value" in item)) return undefined;
  const name = item["name"] ?? item["key"];
  return typeof name === "string" ? name : undefined;
}

/** An item of any list of `{name, value}`: env, Helm extraEnvVars, Tekton params, probe httpHeaders… */
function maskEntry(
  item: Record<string, unknown>,
  name: string,
  f: MaskFunctions,
  depth: number,
  inherited?: Sensitivity,
): Record<string, unknown> {
  const masked = maskRecord(item, f, depth + 1, false) as Record<string, unknown>;
  const value = item["value"];
  const own = envSensitivity(name);
  // Under a credential container (`credentials: [{name: admin, value: …}]`) the container's level holds.
  const sensitivity = inherited !== undefined && (own === "none" || own === "weak") ? inherited : own;
  if (typeof value === "string") masked["value"] = maskField(name, value, f, sensitivity, false);
  else if (typeof value === "number" && sensitivity === "password") masked["value"] = hide(value, f);
  return masked;
}

/** Env names: a bare `KEY`, `*_PRIVATE` is a secret name, stronger than for field keys. */
function envSensitivity(name: string): Sensitivity {
  const s = nameSensitivity(name);
  if (s === "weak") {
    const words = nameWords(name);
    const last = words[words.length - 1];
    if (last === "key" || last === "keys" || last === "private") return "secret";
  }
  return s;
}

/** A value under a credential container (`tokens: {initial_management: …}`, `users: {admin: …}`). */
function maskInherited(
  value: unknown,
  key: string,
  f: MaskFunctions,
  depth: number,
  level: Sensitivity,
): unknown {
  if (depth > MAX_MASK_DEPTH) return hide(value, f);
  if (typeof value === "string") {
    const own = nameSensitivity(key);
    // A descriptive key inside (`type`, `username`, `secretName`) keeps its own judgement.
    if (own === "none" && describesOnly(key)) return maskField(key, value, f, own);
    return maskField(key, value, f, own === "password" ? own : level);
  }
  if (typeof value === "number" && level === "password") return hide(value, f);
  if (Array.isArray(value)) return value.map((v) => maskInherited(v, key, f, depth + 1, level));
  if (isRecord(value)) {
    if (entryName(value) !== undefined) return maskEntry(value, entryName(value) as string, f, depth, level);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) put(out, k, maskInherited(v, k, f, depth + 1, level));
    return out;
  }
  return maskValue(value, f, depth + 1);
}

/** A key that only describes or refers (its last word is a reference or descriptive suffix). */
function describesOnly(key: string): boolean {
  return isDescriptiveName(key) || key === "name" || key === "type";
}

function maskRecord(value: Record<string, unknown>, f: MaskFunctions, depth: number, top: boolean): unknown {
  const secret = isSecretObject(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (secret && (k === "data" || k === "stringData")) put(out, k, hideAllValues(v, f));
    else if (k === "metadata" && isRecord(v)) put(out, k, maskMetadata(v, f, depth + 1));
    else if (k === "annotations" && !top && isRecord(v)) put(out, k, maskAnnotations(v, f, depth + 1));
    else if (typeof v === "string") put(out, k, maskField(k, v, f));
    // `adminPassword: 123456` parses as a number; a numeric password is a password all the same.
    else if (typeof v === "number" && nameSensitivity(k) === "password") put(out, k, hide(v, f));
    else if (v !== null && typeof v === "object" && containerLevel(k) !== undefined)
      put(out, k, maskInherited(v, k, f, depth + 1, containerLevel(k) as Sensitivity));
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

/** A key whose object value holds credentials throughout: the level its leaves are judged at. */
function containerLevel(key: string): Sensitivity | undefined {
  if (LOGIN_MAPS.has(key.toLowerCase())) return "password";
  const s = nameSensitivity(key);
  return s === "password" || s === "secret" ? s : undefined;
}

/**
 * Arrays. An argument list (`args: ["--api-key", "x"]`, `["sshpass", "-p", "x"]`) is read as a
 * command: the value after a secret flag is hidden. A list of `{name, value}` items is env-like.
 */
function maskArray(value: unknown[], f: MaskFunctions, depth: number): unknown[] {
  const hidden = new Set<number>();
  if (value.length > 1 && value.length <= 256 && value.every((v) => typeof v === "string")) {
    // Join the arguments with a separator no argument holds alone, and read them as one command.
    const args = value as string[];
    const words: Word[] = [];
    let text = "";
    for (const a of args) {
      words.push({ start: text.length, end: text.length + a.length });
      text += `${a}\u0000`;
    }
    const sink = new SpanSink(true);
    secretWords(text, words, sink);
    for (const span of sink.spans()) {
      const index = words.findIndex((w) => w.start <= span.start && span.end <= w.end);
      if (index >= 0) hidden.add(index);
    }
  }
  return value.map((item, i) => {
    if (hidden.has(i)) return hide(item, f);
    if (isRecord(item)) {
      const name = entryName(item);
      if (name !== undefined) return maskEntry(item, name, f, depth);
    }
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
