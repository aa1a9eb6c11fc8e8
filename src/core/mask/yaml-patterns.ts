/**
 * Detectors for secrets in YAML/JSON snippets inside free text (error messages, kubectl output):
 * an env entry whose `name` is sensitive followed by its `value`, and a block scalar
 * (`password: |`) under a sensitive key. Linear: every forward search is bounded or memoised.
 */
import { NAME_CHAR, RangeMemo } from "./config-memo.js";
import { isPasswordKey, isSensitiveEnvName, isSensitiveKey } from "./sensitive-names.js";
import { type Scanner, detector } from "./span.js";

/** How far after `name: X` its `value:` may be (same env entry). */
const MAX_NAME_TO_VALUE = 256;
const MAX_ENV_NAME = 128;
const MAX_INDENT = 256;

function isNameChar(c: number): boolean {
  return NAME_CHAR[c] === 1;
}

/** Name verdicts by range: a text repeats the same few names (bounded caches, no slice per candidate). */
const SENSITIVE_ENV_NAME = new RangeMemo(isSensitiveEnvName);
const SENSITIVE_KEY = new RangeMemo((key) => isSensitiveKey(key) || isPasswordKey(key));

/** `name`, maybe quoted, then `:` (linear: a literal, then single classes). */
const NAME_FIELD = /name["']? *:/g;

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
export const scanEnvEntries: Scanner = (text, out) => {
  let nextValue = -2;
  NAME_FIELD.lastIndex = 0;
  while (NAME_FIELD.test(text)) {
    const colon = NAME_FIELD.lastIndex - 1;
    // Back from the colon: spaces, an optional quote, then `name` itself.
    let at = colon - 1;
    while (text.charCodeAt(at) === 32) at--;
    if (text.charCodeAt(at) === 34 || text.charCodeAt(at) === 39) at--;
    at -= 3;
    if (!wordStart(text, at)) continue;
    let i = afterColon(text, at, 4);
    if (i < 0) continue;
    if (text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39) i++;
    const nameStart = i;
    while (i < text.length && i - nameStart < MAX_ENV_NAME && isNameChar(text.charCodeAt(i))) i++;
    if (i === nameStart || !SENSITIVE_ENV_NAME.get(text, nameStart, i)) continue;
    // The next "value" after the name, searched once and reused while it lies ahead (keeps this linear).
    if (nextValue < i) {
      nextValue = text.indexOf("value", i);
      while (nextValue >= 0 && !wordStart(text, nextValue)) nextValue = text.indexOf("value", nextValue + 5);
      // No value anywhere after: no later entry has one either.
      if (nextValue < 0) break;
    }
    if (nextValue - i > MAX_NAME_TO_VALUE) continue;
    // A `name` before the value starts another entry (e.g. a secretKeyRef's name): not this entry's value.
    const nextName = text.indexOf("name", i);
    if (nextName >= 0 && nextName < nextValue) continue;
    const v = afterColon(text, nextValue, 5);
    if (v < 0) continue;
    const value = valueEnd(text, v);
    if (value.end > value.start) {
      out.add(value.start, value.end, "sensitive-env");
      if (value.end > NAME_FIELD.lastIndex) NAME_FIELD.lastIndex = value.end;
    }
  }
};
export const detectEnvEntries = detector(scanEnvEntries);

/** Indentation (spaces) of the line holding `at`, or -1 when the line start is too far back. */
function indentOf(text: string, at: number): number {
  let s = at;
  while (s > 0 && at - s < MAX_INDENT && text.charCodeAt(s - 1) !== 10) s--;
  if (s > 0 && text.charCodeAt(s - 1) !== 10) return -1;
  let n = 0;
  while (text.charCodeAt(s + n) === 32 || text.charCodeAt(s + n) === 45) n++;
  return n;
}

/**
 * A block indicator after `key: ` ending its line, with a next line that can belong to a block (it
 * starts with a space or is blank). Linear: attempts start at `|` or `>` only, single classes; the
 * look-behind (back over the indicator and the spaces before it, once) runs last, on lines a block
 * can follow.
 */
const BLOCK_INDICATOR = /[|>][-+A-Za-z0-9]*\n(?=[ \n])(?<=: +[|>][-+A-Za-z0-9]*\n)/g;
/** The first character that is not a space (skips hostile indentation natively). */
const NOT_SPACE = /[^ ]/g;

/** `password: |` / `token: >-` followed by lines indented deeper than the key: the whole block. */
export const scanBlockScalars: Scanner = (text, out) => {
  BLOCK_INDICATOR.lastIndex = 0;
  while (BLOCK_INDICATOR.test(text)) {
    // `i`: the newline ending the indicator's line; `at`: the colon before the indicator.
    const i = BLOCK_INDICATOR.lastIndex - 1;
    let at = i - 1;
    while (text.charCodeAt(at) !== 124 && text.charCodeAt(at) !== 62) at--;
    at--;
    while (text.charCodeAt(at) === 32) at--;
    let k = at;
    while (k > 0 && at - k < 64 && isNameChar(text.charCodeAt(k - 1))) k--;
    if (k === at || !SENSITIVE_KEY.get(text, k, at)) continue;
    const indent = indentOf(text, k);
    if (indent < 0) continue;
    // Lines more indented than the key (or blank) belong to the block.
    let end = i + 1;
    let last = i + 1;
    while (end < text.length) {
      let n = 0;
      while (n < 64 && text.charCodeAt(end + n) === 32) n++;
      if (n === 64) {
        NOT_SPACE.lastIndex = end + n;
        n = (NOT_SPACE.test(text) ? NOT_SPACE.lastIndex - 1 : text.length) - end;
      }
      const c = text.charCodeAt(end + n);
      const blank = c === 10 || end + n >= text.length;
      if (!blank && n <= indent) break;
      const nl = text.indexOf("\n", end + n);
      end = nl < 0 ? text.length : nl + 1;
      if (!blank) last = nl < 0 ? text.length : nl;
    }
    if (last > i + 1) {
      out.add(i + 1, last, "sensitive-pair");
      if (last > BLOCK_INDICATOR.lastIndex) BLOCK_INDICATOR.lastIndex = last;
    }
  }
};
export const detectBlockScalars = detector(scanBlockScalars);
