/**
 * Generic `key=value`, `key: value`, `"key": "value"` pairs whose key names a secret: one forward
 * scan over the separators, the key read back from each (bounded), its sensitivity and the value's
 * verdict remembered or decided on character codes in place (no slice on the dense paths).
 */
import { NAME_WORDS, nameSensitivity } from "./sensitive-names.js";
import type { Sensitivity } from "./sensitive-names.js";
import { judge } from "./value-judge.js";
import { UNSAFE, VALUE_FLAGS, masksInPlace } from "./value-in-place.js";
import { type Scanner, type SpanSink, detector } from "./span.js";

const MAX_KEY = 64;
/** `:` or `=`: one class, no quantifier (cannot backtrack). */
const SEPARATOR_RE = /[:=]/g;
/** Longest value sliced for judging (a longer one under a sensitive key is masked by judge's own limit). */
const MAX_JUDGED_VALUE = 4097;

/** Character flags of the pair scan, by code unit (one read, no range check). */
const PAIR = new Uint8Array(65536);
/** Letters, digits, `_ - .`: the characters of a key. */
const KEY_CHAR = 1;
/** Ends an unquoted value: whitespace, quotes, `, ; & < > ( ) [ ] { }`. */
const VALUE_END = 2;
/** `:` or `=`. */
const SEPARATOR = 4;
/** Space, tab, `"`, `'`: what may stand between a key and its separator. */
const KEY_GAP = 8;
for (let c = 0; c < 65536; c++) {
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  let flags = 0;
  if (alnum || c === 95 || c === 45 || c === 46) flags |= KEY_CHAR;
  if (c < 128 && " \t\n\r\v\f\"'`,;&<>()[]{}".includes(String.fromCharCode(c))) flags |= VALUE_END;
  if (c === 58 || c === 61) flags |= SEPARATOR;
  if (c === 32 || c === 9 || c === 34 || c === 39) flags |= KEY_GAP;
  // UNSAFE, NOT_LOWER and NOT_NUMERIC (bits 16, 32, 64): what value-in-place.ts judges by.
  flags |= VALUE_FLAGS[c] as number;
  PAIR[c] = flags;
}

/**
 * The sensitivity of recent keys, by a hash of their characters (direct-mapped, bounded): hostile
 * and real texts repeat the same few keys, and a hit costs one comparison of the key's characters
 * instead of a slice and a name classification.
 */
const KEY_SLOTS = 512;
const slotKeys: string[] = new Array<string>(KEY_SLOTS).fill("");
const slotSensitivity: Sensitivity[] = new Array<Sensitivity>(KEY_SLOTS).fill("none");
/** The key's last (up to) four characters, one byte each (key characters are ASCII): see tailOf(). */
const slotTails = new Int32Array(KEY_SLOTS);
/** Each slot's key length and characters (MAX_KEY bytes a slot): a typed array reads faster than a sliced string. */
const slotLengths = new Int32Array(KEY_SLOTS);
const slotChars = new Uint8Array(KEY_SLOTS * MAX_KEY);

/** Whether `text[start, start + key.length)` is `key`. */
function sameAt(text: string, start: number, key: string): boolean {
  for (let k = 0; k < key.length; k++) if (text.charCodeAt(start + k) !== key.charCodeAt(k)) return false;
  return true;
}

/** The last (up to) four characters of `text[start, end)`, one byte each, the last one lowest. */
function tailOf(text: string, start: number, end: number): number {
  let tail = 0;
  for (let k = end - 4 > start ? end - 4 : start; k < end; k++) tail = (tail << 8) | text.charCodeAt(k);
  return tail;
}

/**
 * Every name nameSensitivity() finds sensitive holds one of these once its letters and digits are
 * joined and lower-cased (NAME_WORDS of sensitive-names.ts): a key holding none is not classified
 * (distinct keys each cost a slice and a classification before).
 */
const NAME_TRIGGERS = NAME_WORDS.split("|");
/** The triggers by their first two letters (26 × 26). */
const TRIGGERS_BY_BIGRAM: string[][] = Array.from({ length: 676 }, () => []);
for (const trigger of NAME_TRIGGERS) {
  const bigram = (trigger.charCodeAt(0) - 97) * 26 + (trigger.charCodeAt(1) - 97);
  (TRIGGERS_BY_BIGRAM[bigram] as string[]).push(trigger);
}
/** Which first two letters start a trigger (1), by the index TRIGGERS_BY_BIGRAM uses. */
const TRIGGER_BIGRAM = Uint8Array.from(TRIGGERS_BY_BIGRAM, (list) => (list.length > 0 ? 1 : 0));
/** Letters as 1–26 (either case), digits as 27: what a key's joined form keeps. */
const JOINED_CODE = new Uint8Array(65536);
for (let c = 65; c <= 90; c++) JOINED_CODE[c] = c - 64;
for (let c = 97; c <= 122; c++) JOINED_CODE[c] = c - 96;
for (let c = 48; c <= 57; c++) JOINED_CODE[c] = 27;
/** A key's letters (lower-cased, as 1–26) and digits (27), joined (reused). */
const joined = new Uint8Array(MAX_KEY);

/** Whether the key `text[start, end)` (key characters, at most MAX_KEY) holds one of NAME_TRIGGERS. */
export function mayNameSecret(text: string, start: number, end: number): boolean {
  // One pass joins the key and notes the first two letters that may start a trigger; the triggers
  // are compared (rarely) afterwards.
  let m = 0;
  let previous = 0;
  let first = -1;
  for (let k = start; k < end; k++) {
    const code = JOINED_CODE[text.charCodeAt(k)] as number;
    if (code === 0) continue;
    if (first < 0 && previous !== 0 && code <= 26 && TRIGGER_BIGRAM[(previous - 1) * 26 + (code - 1)] === 1) {
      first = m - 1;
    }
    joined[m++] = code;
    previous = code <= 26 ? code : 0;
  }
  if (first < 0) return false;
  for (let p = first; p + 1 < m; p++) {
    const a = joined[p] as number;
    const b = joined[p + 1] as number;
    if (a > 26 || b > 26 || TRIGGER_BIGRAM[(a - 1) * 26 + (b - 1)] === 0) continue;
    for (const trigger of TRIGGERS_BY_BIGRAM[(a - 1) * 26 + (b - 1)] as string[]) {
      let q = 2;
      while (q < trigger.length && p + q < m && joined[p + q] === trigger.charCodeAt(q) - 96) q++;
      if (q === trigger.length) return true;
    }
  }
  return false;
}

/**
 * The slot of the key `text[start, end)` (at least 2 long, key characters only) in the tables above,
 * classifying it on a miss. `tail` is tailOf() the key, which the forward scan builds as it reads the
 * key: the slot comes from it and the length, and a hit compares only the characters before the tail.
 */
function keySlot(text: string, start: number, end: number, tail: number): number {
  const length = end - start;
  let h = Math.imul(tail, 0x9e3779b1) ^ length;
  h ^= h >>> 15;
  const slot = h & (KEY_SLOTS - 1);
  if (slotLengths[slot] === length && slotTails[slot] === tail) {
    // The tail matched: compare what precedes it.
    const base = slot * MAX_KEY - start;
    let k = start;
    const stop = end - 4;
    while (k < stop && text.charCodeAt(k) === slotChars[base + k]) k++;
    if (k >= stop) return slot;
  }
  if (mayNameSecret(text, start, end)) {
    const key = text.slice(start, end);
    slotSensitivity[slot] = nameSensitivity(key);
    slotKeys[slot] = key;
  } else {
    slotSensitivity[slot] = "none";
    slotKeys[slot] = "";
  }
  slotTails[slot] = tail;
  slotLengths[slot] = length;
  for (let k = 0; k < length; k++) slotChars[slot * MAX_KEY + k] = text.charCodeAt(start + k);
  return slot;
}

/** Verdicts of recent short values per sensitivity (direct-mapped like the keys): logs repeat values too. */
const VALUE_SLOTS = 512;
const MAX_REMEMBERED_VALUE = 64;
const slotValues: string[] = new Array<string>(VALUE_SLOTS).fill("");
const slotValueSensitivity: Sensitivity[] = new Array<Sensitivity>(VALUE_SLOTS).fill("none");
const slotVerdict: boolean[] = new Array<boolean>(VALUE_SLOTS).fill(false);

/**
 * Whether judge() masks `text[start, end)` under a key of `sensitivity` (not "none"); `flags` are
 * the value's PAIR flags OR-ed together.
 *
 * Decided in place for a plain value (value-in-place.ts: `[A-Za-z0-9_+/=]`, no slice), else
 * remembered by the value's characters and given to judge().
 */
function masksValue(
  text: string,
  start: number,
  end: number,
  key: string,
  sensitivity: Exclude<Sensitivity, "none">,
  flags: number,
): boolean {
  const length = end - start;
  const inPlace = masksInPlace(text, start, end, sensitivity, flags);
  if (inPlace !== undefined) return inPlace;
  if (length > MAX_REMEMBERED_VALUE) {
    return judge(key, text.slice(start, Math.min(end, start + MAX_JUDGED_VALUE)), sensitivity) === "mask";
  }
  let hash = sensitivity.length;
  for (let k = start; k < end; k++) hash = (Math.imul(hash, 31) + text.charCodeAt(k)) | 0;
  const slot = (hash ^ (hash >>> 9)) & (VALUE_SLOTS - 1);
  const known = slotValues[slot] as string;
  if (slotValueSensitivity[slot] === sensitivity && known.length === length && sameAt(text, start, known)) {
    return slotVerdict[slot] as boolean;
  }
  const value = text.slice(start, end);
  // judge() reads the key only to find its sensitivity, which is given here.
  const masks = judge(key, value, sensitivity) === "mask";
  slotValues[slot] = value;
  slotValueSensitivity[slot] = sensitivity;
  slotVerdict[slot] = masks;
  return masks;
}

/**
 * Generic `key=value`, `key: value`, `"key": "value"` pairs whose key names a secret. Password keys
 * are masked at any length >= 3; other keys (token, secret, api key...) when the value is >= 8
 * characters and looks random (>= 3 bits/char), so `secretName: db` stays readable.
 */
export const scanSensitivePairs: Scanner = (text, out) => {
  const n = text.length;
  let i = 0;
  while (i < n) {
    // Dense separators (hostile runs, YAML): a short JS scan that also drops, without leaving the
    // loop, separators with no key or a one-character key (no such name is sensitive): `:=:=`, `a:a:`.
    const stop = i + 32 < n ? i + 32 : n;
    const before = i > 0 ? (PAIR[text.charCodeAt(i - 1)] as number) : KEY_GAP;
    // Where the run of key characters reaching i starts (-1: before i, where the last value ended;
    // pairAt() measures it), whether the character before that run may separate a key, and the
    // run's last four characters (tailOf()).
    let runStart = (before & KEY_CHAR) !== 0 ? -1 : i;
    let gap = (before & KEY_GAP) !== 0;
    let tail = 0;
    // The last whole run of key characters seen (for a key before a closing quote or blanks).
    let lastStart = -1;
    let lastEnd = -1;
    let lastTail = 0;
    let at = -1;
    for (; i < stop; i++) {
      const c = text.charCodeAt(i);
      const f = PAIR[c] as number;
      if ((f & KEY_CHAR) !== 0) {
        tail = (tail << 8) | c;
        continue;
      }
      if ((f & SEPARATOR) !== 0 && (runStart < 0 || i - runStart >= 2 || (i === runStart && gap))) {
        at = i;
        break;
      }
      if (i > runStart && runStart >= 0) {
        lastStart = runStart;
        lastEnd = i;
        lastTail = tail;
      }
      runStart = i + 1;
      gap = (f & KEY_GAP) !== 0;
      tail = 0;
    }
    // A whole run of key characters right before the separator, or before the blanks and quote
    // between them (pairAt() checks), when this scan saw where it starts.
    let keyStart = -1;
    let keyEnd = -1;
    if (at > runStart && runStart >= 0) {
      keyStart = runStart;
      keyEnd = at;
    } else if (at >= 0 && lastStart >= 0 && lastEnd >= at - 5) {
      keyStart = lastStart;
      keyEnd = lastEnd;
      tail = lastTail;
    }
    if (at < 0) {
      if (i >= n) break;
      // Far apart: the next one by a native search, one class (not indexOf: on text of two-byte
      // characters it stops at every unit whose low byte is the separator's, as in an emoji's `\uD83D`).
      SEPARATOR_RE.lastIndex = i;
      if (!SEPARATOR_RE.test(text)) break;
      at = SEPARATOR_RE.lastIndex - 1;
      keyStart = -1;
    }
    i = pairAt(text, at, keyStart, keyEnd, tail, out);
  }
};
export const detectSensitivePairs = detector(scanSensitivePairs);

/**
 * Judges the pair whose separator is at `i` (pushing its value's span if masked); returns where to go
 * on. `[runStart, runEnd)`: a whole run of key characters the caller saw near `i` (or -1), whose
 * last four characters (tailOf()) are `tail`.
 */
function pairAt(
  text: string,
  i: number,
  runStart: number,
  runEnd: number,
  tail: number,
  out: SpanSink,
): number {
  const n = text.length;
  let v = text.charCodeAt(i + 1);
  // `scheme://` belongs to the URL detector.
  if (v === 47 && text.charCodeAt(i) === 58 && text.charCodeAt(i + 2) === 47) return i + 3;
  // The key ending just before the separator (skipping up to 4 blanks and a closing quote).
  let j = i;
  if (runEnd !== i) {
    while (j > 0 && i - j < 4 && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) j--;
    if (j > 0 && (text.charCodeAt(j - 1) === 34 || text.charCodeAt(j - 1) === 39)) j--;
  }
  const keyEnd = j;
  if (runStart >= 0 && runEnd === keyEnd) {
    j = keyEnd - runStart > MAX_KEY ? keyEnd - MAX_KEY : runStart;
  } else {
    const keyStop = keyEnd > MAX_KEY ? keyEnd - MAX_KEY : 0;
    while (j > keyStop && ((PAIR[text.charCodeAt(j - 1)] as number) & KEY_CHAR) !== 0) j--;
    if (keyEnd - j >= 2) tail = tailOf(text, j, keyEnd);
  }
  // No name of one character (or of none) is sensitive.
  if (keyEnd - j < 2) return i + 1;
  let k = i + 1;
  while (k < n && k - i < 16 && (v === 32 || v === 9)) v = text.charCodeAt(++k);
  // No value (`<base64>=` at a line's end, `key:` opening a block): nothing to mask, and the key
  // need not be judged (a text of distinct random keys would judge each).
  if (k >= n || (((PAIR[v] as number) & VALUE_END) !== 0 && v !== 34 && v !== 39)) return i + 1;
  const slot = keySlot(text, j, keyEnd, tail);
  const sensitivity = slotSensitivity[slot] as Sensitivity;
  if (sensitivity === "none") return i + 1;
  let start = k;
  let end: number;
  let flags = 0;
  if (v === 34 || v === 39) {
    const quote = v;
    start = k + 1;
    end = start;
    while (end < n) {
      v = text.charCodeAt(end);
      if (v === quote || v === 10) break;
      flags |= PAIR[v] as number;
      // A backslash escapes the next character inside JSON strings (`\` is UNSAFE: judged sliced).
      end += v === 92 ? 2 : 1;
    }
    end = Math.min(end, n);
  } else {
    end = start;
    let inner = -1;
    for (; end < n; end++) {
      v = text.charCodeAt(end);
      const f = PAIR[v] as number;
      if ((f & VALUE_END) !== 0) break;
      flags |= f;
      if (v === 61 && inner < 0) inner = end;
    }
    // `key: token=abc`: under a weakly sensitive key, a nested pair is judged on its own.
    if (sensitivity === "weak" && inner > start && inner < end - 1) {
      end = inner;
      flags = UNSAFE;
    }
  }
  // Under a weak key judge() masks only values that look random, which takes 8 characters.
  if (end > start && (sensitivity !== "weak" || end - start >= 8)) {
    // References and templates, not values: `${TOKEN}`, `{{ .token }}`, `<masked ...>`.
    const first = text.charCodeAt(start);
    const reference = first === 36 || first === 123 || first === 60;
    if (!reference && masksValue(text, start, end, slotKeys[slot] as string, sensitivity, flags)) {
      out.add(start, end, "sensitive-pair");
    }
  }
  // Skip the value either way: each character is scanned as a value at most once.
  return Math.max(end, i + 1);
}
