/**
 * Detectors for secrets in YAML/JSON snippets inside free text (error messages, kubectl output):
 * an env entry whose `name` is sensitive followed by its `value`, and a block scalar
 * (`password: |`) under a sensitive key. Linear: every forward search is bounded or memoised.
 */
import { isPasswordKey, isSensitiveEnvName, isSensitiveKey, remembered } from "./sensitive-names.js";
import type { Detector, Span } from "./span.js";
import { isAlnum } from "./span.js";

/** How far after `name: X` its `value:` may be (same env entry). */
const MAX_NAME_TO_VALUE = 256;
const MAX_ENV_NAME = 128;
const MAX_INDENT = 256;

function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 45 || c === 46;
}

/** After a field word at `at` of length `len`: skips `"`, spaces, `:`, spaces; returns the index after, or -1. */
function afterColon(text: string, at: number, len: number): number {
  let i = at + len;
  if (text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39) i++;
  while (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 58) return -1;
  i++;
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  return i;
}

/** A whole-word occurrence: not preceded by a name character. */
function wordStart(text: string, at: number): boolean {
  return at === 0 || !isNameChar(text.charCodeAt(at - 1));
}

/** The end of a value starting at `start`: a quoted string (with escapes) or up to the end of the line / `}`. */
function valueEnd(text: string, start: number): { start: number; end: number } {
  const q = text.charCodeAt(start);
  if (q === 34 || q === 39) {
    let end = start + 1;
    while (end < text.length && text.charCodeAt(end) !== q && text.charCodeAt(end) !== 10) {
      end += text.charCodeAt(end) === 92 ? 2 : 1;
    }
    return { start: start + 1, end: Math.min(end, text.length) };
  }
  let end = start;
  while (
    end < text.length &&
    text.charCodeAt(end) !== 10 &&
    text.charCodeAt(end) !== 13 &&
    text.charCodeAt(end) !== 125
  ) {
    end++;
  }
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return { start, end };
}

/** `- name: DB_PASSWORD` … `value: hunter2` (YAML) or `{"name":"DB_PASSWORD","value":"hunter2"}` (JSON). */
export const detectEnvEntries: Detector = (text) => {
  const out: Span[] = [];
  const sensitiveName = remembered(isSensitiveEnvName);
  let nextValue = -2;
  let from = 0;
  for (;;) {
    const at = text.indexOf("name", from);
    if (at < 0) break;
    from = at + 4;
    if (!wordStart(text, at)) continue;
    let i = afterColon(text, at, 4);
    if (i < 0) continue;
    if (text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39) i++;
    const nameStart = i;
    while (i < text.length && i - nameStart < MAX_ENV_NAME && isNameChar(text.charCodeAt(i))) i++;
    if (i === nameStart || !sensitiveName(text.slice(nameStart, i))) continue;
    // The next "value" after the name, searched once and reused while it lies ahead (keeps this linear).
    if (nextValue !== -1 && nextValue < i) {
      nextValue = text.indexOf("value", i);
      while (nextValue >= 0 && !wordStart(text, nextValue)) nextValue = text.indexOf("value", nextValue + 5);
    }
    if (nextValue < 0 || nextValue - i > MAX_NAME_TO_VALUE) continue;
    // A `name` before the value starts another entry (e.g. a secretKeyRef's name): not this entry's value.
    const nextName = text.indexOf("name", i);
    if (nextName >= 0 && nextName < nextValue) continue;
    const v = afterColon(text, nextValue, 5);
    if (v < 0) continue;
    const value = valueEnd(text, v);
    if (value.end > value.start) {
      out.push({ start: value.start, end: value.end, kind: "sensitive-env" });
      from = Math.max(from, value.end);
    }
  }
  return out;
};

/** Indentation (spaces) of the line holding `at`, or -1 when the line start is too far back. */
function indentOf(text: string, at: number): number {
  let s = at;
  while (s > 0 && at - s < MAX_INDENT && text.charCodeAt(s - 1) !== 10) s--;
  if (s > 0 && text.charCodeAt(s - 1) !== 10) return -1;
  let n = 0;
  while (text.charCodeAt(s + n) === 32 || text.charCodeAt(s + n) === 45) n++;
  return n;
}

/** `password: |` / `token: >-` followed by lines indented deeper than the key: the whole block. */
export const detectBlockScalars: Detector = (text) => {
  const out: Span[] = [];
  const sensitiveKey = remembered((key) => isSensitiveKey(key) || isPasswordKey(key));
  let from = 0;
  for (;;) {
    const at = text.indexOf(": ", from);
    if (at < 0) break;
    from = at + 2;
    let i = from;
    while (text.charCodeAt(i) === 32) i++;
    const indicator = text.charCodeAt(i);
    if (indicator !== 124 && indicator !== 62) continue;
    i++;
    while (
      i < text.length &&
      (text.charCodeAt(i) === 45 || text.charCodeAt(i) === 43 || isAlnum(text.charCodeAt(i)))
    )
      i++;
    if (text.charCodeAt(i) !== 10) continue;
    let k = at;
    while (k > 0 && at - k < 64 && isNameChar(text.charCodeAt(k - 1))) k--;
    const key = text.slice(k, at);
    if (key === "" || !sensitiveKey(key)) continue;
    const indent = indentOf(text, k);
    if (indent < 0) continue;
    // Lines more indented than the key (or blank) belong to the block.
    let end = i + 1;
    let last = i + 1;
    while (end < text.length) {
      let n = 0;
      while (text.charCodeAt(end + n) === 32) n++;
      const c = text.charCodeAt(end + n);
      const blank = c === 10 || end + n >= text.length;
      if (!blank && n <= indent) break;
      const nl = text.indexOf("\n", end + n);
      end = nl < 0 ? text.length : nl + 1;
      if (!blank) last = nl < 0 ? text.length : nl;
    }
    if (last > i + 1) {
      out.push({ start: i + 1, end: last, kind: "sensitive-pair" });
      from = last;
    }
  }
  return out;
};
