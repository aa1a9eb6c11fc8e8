/**
 * judge()'s verdict on a plain value decided on its character codes, without slicing it: a text of
 * distinct secrets under sensitive names (hostile, or a log of logins) would otherwise slice and
 * classify every one. Plain means made of `[A-Za-z0-9_+/=]` only and at most MAX_IN_PLACE long;
 * anything else is left to judge() (`undefined`).
 */
import { matchesLower } from "./context-scan.js";
import { looksRandom } from "./randomness.js";
import type { Sensitivity } from "./sensitive-names.js";

/** Values up to this long are judged in place. */
export const MAX_IN_PLACE = 4096;

/** Outside `[A-Za-z0-9_+/=]`: a value holding one may have a benign shape judge() must look at. */
export const UNSAFE = 16;
/** Not a lower-case letter: a value with one cannot read as a wordy name. */
export const NOT_LOWER = 32;
/** Not in `[0-9nsumhdwyeEKMGTPki+-.%]`: a value with one is neither a duration nor a quantity. */
export const NOT_NUMERIC = 64;

/** UNSAFE, NOT_LOWER and NOT_NUMERIC of each code unit. */
export const VALUE_FLAGS = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) {
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  let flags = 0;
  if (!(alnum || c === 95 || c === 43 || c === 47 || c === 61)) flags |= UNSAFE;
  if (!(c >= 97 && c <= 122)) flags |= NOT_LOWER;
  if (!(c < 128 && "0123456789nsumhdwyeEKMGTPki+-.%".includes(String.fromCharCode(c)))) flags |= NOT_NUMERIC;
  VALUE_FLAGS[c] = flags;
}

/** The words judge() reads as booleans, by length (lower case). */
const BOOLEANS_BY_LENGTH: string[][] = Array.from({ length: 9 }, () => []);
for (const word of ["true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null"]) {
  (BOOLEANS_BY_LENGTH[word.length] as string[]).push(word);
}

/** Whether `text[start, end)` is one of judge()'s booleans in any case (ASCII letters only: the caller checked). */
function isBooleanAt(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length > 8) return false;
  for (const word of BOOLEANS_BY_LENGTH[length] as string[]) if (matchesLower(text, start, word)) return true;
  return false;
}

/** The publishable-key prefixes judge() knows that a value of `[A-Za-z0-9_+/=]` can start with. */
const PUBLISHABLE_PREFIXES = ["pk_live_", "pk_test_", "FLWPUBK", "NEXT_PUBLIC_"];

/** Whether `text[start, end)` starts with one of PUBLISHABLE_PREFIXES. */
function publishableAt(text: string, start: number, end: number): boolean {
  for (const prefix of PUBLISHABLE_PREFIXES) {
    if (end - start >= prefix.length && text.startsWith(prefix, start)) return true;
  }
  return false;
}

/** The value's flags OR-ed (VALUE_FLAGS), read at most MAX_IN_PLACE + 1 characters. */
export function valueFlags(text: string, start: number, end: number): number {
  let flags = 0;
  const stop = Math.min(end, start + MAX_IN_PLACE + 1);
  for (let k = start; k < stop; k++) flags |= VALUE_FLAGS[text.charCodeAt(k)] as number;
  return flags;
}

/**
 * Whether judge() masks `text[start, end)` under a name of `sensitivity` (not "none"), when that
 * can be told in place; `flags` are the value's VALUE_FLAGS OR-ed. Undefined otherwise.
 *
 * Made of `[A-Za-z0-9_+/=]`, a value has a benign shape only as a path (`/` first), a duration or
 * quantity (digit or `+` first, nothing else than their characters) or a publishable key; otherwise
 * judge() masks it unless it is a boolean, a one-character password, a wordy name (lower-case
 * letters only, at most 253) or, under a weak name, does not look random.
 */
export function masksInPlace(
  text: string,
  start: number,
  end: number,
  sensitivity: Sensitivity,
  flags: number,
): boolean | undefined {
  const length = end - start;
  // judge() keeps a reference or scans a one-character value under a password key (`password: |`).
  if (sensitivity === "password" && length < 2) return false;
  if (length > MAX_IN_PLACE || (flags & UNSAFE) !== 0) return undefined;
  const first = text.charCodeAt(start);
  if (first === 47) return false;
  const plain =
    (first >= 48 && first <= 57) || first === 43
      ? (flags & NOT_NUMERIC) !== 0
      : !((first === 112 || first === 70 || first === 78) && publishableAt(text, start, end));
  if (!plain) return undefined;
  if (sensitivity === "password") return !isBooleanAt(text, start, end);
  // A wordy name is at most 253 long (a DNS name's limit).
  if (((flags & NOT_LOWER) === 0 && length <= 253) || isBooleanAt(text, start, end)) return false;
  return sensitivity === "secret" || looksRandom(text, start, end, 8);
}
