/**
 * Masking at the logger: every log line's message (after `%s` interpolation) and every field goes
 * through the masker before pino serializes it, whoever logs (our code, Probot, Octokit's plugins).
 * Callers that mask their own fields stay correct (masking a masked text changes nothing); a
 * caller that forgot, or a library logging an error whose message quotes a value, no longer leaks.
 */
import { format } from "node:util";
import type { Masker } from "../core/mask/types.js";

/** Deeper than any log field worth reading; below it a value is summarised, which also stops cycles. */
const MAX_DEPTH = 8;
/** Array items kept per array (a library may log a whole payload). */
const MAX_ITEMS = 200;
/** What replaces a line whose masking failed: nothing unmasked is written (fail closed). */
export const WITHHELD = "a log line was withheld: masking it failed";

type Plain = string | number | boolean | null | undefined | Plain[] | { [key: string]: Plain };

/** A JSON-like copy of `value` (errors with their message, stack, properties and cause). */
function toPlain(value: unknown, depth: number, seen: Set<object>): Plain {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return undefined;
  if (seen.has(value)) return "[circular]";
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? "[array]" : "[object]";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ITEMS).map((v) => toPlain(v, depth + 1, seen));
      if (value.length > MAX_ITEMS) items.push(`… and ${value.length - MAX_ITEMS} more`);
      return items;
    }
    if (value instanceof Map) return toPlain(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return toPlain([...value], depth, seen);
    const out: { [key: string]: Plain } = {};
    if (value instanceof Error) {
      // pino's own error shape (type, message, stack), so log tools read it the same way.
      out["type"] = value.name;
      out["message"] = value.message;
      if (value.stack !== undefined) out["stack"] = value.stack;
    }
    for (const [key, v] of Object.entries(value)) {
      const plain = toPlain(v, depth + 1, seen);
      if (plain !== undefined) out[key] = plain;
    }
    if (value instanceof Error && value.cause !== undefined && !("cause" in out)) {
      out["cause"] = toPlain(value.cause, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** `fields` masked: strings as text, and by their names (`password`, `token`…) as in objects. */
export function maskLogFields(masker: Masker, fields: object): Record<string, unknown> {
  const plain = toPlain(fields, 0, new Set());
  const record =
    plain !== null && typeof plain === "object" && !Array.isArray(plain) ? plain : { value: plain };
  return masker.maskObject(record);
}

/**
 * pino's arguments, masked: `(msg, ...args)`, `(fields, msg?, ...args)` or `(error, msg?)`. An
 * interpolated message is formatted first, so a secret split between template and argument is
 * still seen whole.
 */
export function maskLogArguments(masker: Masker, args: readonly unknown[]): unknown[] {
  const [first, ...rest] = args;
  const message = (parts: readonly unknown[]): string =>
    masker.maskText(parts.length === 1 ? String(parts[0]) : format(...parts));
  if (first !== null && typeof first === "object") {
    const fields =
      first instanceof Error ? { err: maskLogFields(masker, first) } : maskLogFields(masker, first);
    if (rest.length > 0) return [fields, message(rest)];
    // pino would use the error's message as the line's message: masked, as pino would show it.
    return first instanceof Error ? [fields, masker.maskText(first.message)] : [fields];
  }
  if (args.length === 0) return [];
  return [message(args)];
}

/** pino `hooks.logMethod`: masks the arguments, and withholds the line if masking fails. */
export function maskingLogMethod(masker: Masker) {
  return function logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void): void {
    let masked: unknown[];
    try {
      masked = maskLogArguments(masker, args);
    } catch {
      masked = [{}, WITHHELD];
    }
    method.apply(this, masked);
  };
}
