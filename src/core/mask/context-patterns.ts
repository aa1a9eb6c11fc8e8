/**
 * Detectors for secrets recognisable by their context: the password of a URL (`postgres://u:p@h`),
 * bearer/basic credentials, and `key=value` / `key: value` pairs whose key names a secret.
 * Hand-written, linear-time scanners: every look-around is bounded or skipped over afterwards.
 */
import { CHAR, TOKEN } from "./char-table.js";
import { lowerCode, matchesLower } from "./context-scan.js";
import { looksRandom } from "./randomness.js";
import { nameSensitivity } from "./sensitive-names.js";
import type { Sensitivity } from "./sensitive-names.js";
import { judge } from "./value-judge.js";
import { type Scanner, type SpanSink, detector } from "./span.js";
import { isAlnum, isSpace } from "./span.js";

const MAX_SCHEME = 32;
const MAX_AUTHORITY = 1024;
const MAX_KEY = 64;
const MIN_BEARER_TOKEN = 8;

function isSchemeChar(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 45 || c === 46;
}

/** Ends the authority part of a URL: `/ ? #`, whitespace, quotes, angle brackets. */
function endsAuthority(c: number): boolean {
  return (
    isSpace(c) || c === 47 || c === 63 || c === 35 || c === 34 || c === 39 || c === 96 || c === 60 || c === 62
  );
}

/**
 * `//` followed, within the authority, by an `@`: the only URLs with userinfo. Linear: a literal,
 * one bounded class that excludes `@`, then `@`.
 */
const USERINFO_RE = /\/\/[^ \t\n\r\v\f/?#"'`<>@]{0,1023}@/g;

/** The password of `scheme://user:password@host`, keeping scheme, user and host. */
export const scanUrlPasswords: Scanner = (text, out) => {
  let from = 0;
  USERINFO_RE.lastIndex = 0;
  while (USERINFO_RE.test(text)) {
    // The `//` of the match: back from its `@` over the class it matched.
    const firstAt = USERINFO_RE.lastIndex - 1;
    let slash = firstAt;
    while (text.charCodeAt(slash - 1) !== 47 || text.charCodeAt(slash - 2) !== 47) slash--;
    const at = slash - 3; // where `://` starts
    USERINFO_RE.lastIndex = slash - 1;
    if (at < from || text.charCodeAt(at) !== 58) continue;
    from = at + 3;
    let s = at;
    while (s > 0 && at - s < MAX_SCHEME && isSchemeChar(text.charCodeAt(s - 1))) s--;
    if (s === at) continue;
    // Scan the authority up to its end (bounded); the last '@' separates userinfo from host.
    let i = at + 3;
    let lastAt = -1;
    const limit = Math.min(text.length, i + MAX_AUTHORITY);
    while (i < limit && !endsAuthority(text.charCodeAt(i))) {
      if (text.charCodeAt(i) === 64) lastAt = i;
      i++;
    }
    if (lastAt < 0) continue;
    let colon = at + 3;
    while (colon < lastAt && text.charCodeAt(colon) !== 58) colon++;
    // `https://<key>@o1.ingest.sentry.io/2`: a user part that looks random is a key.
    if (colon >= lastAt && looksRandom(text, at + 3, lastAt, 16)) {
      out.add(at + 3, lastAt, "url-password");
      from = lastAt;
    } else if (colon < lastAt - 1) {
      out.add(colon + 1, lastAt, "url-password");
      from = lastAt;
    }
    USERINFO_RE.lastIndex = Math.max(USERINFO_RE.lastIndex, from - 1);
  }
};
export const detectUrlPasswords = detector(scanUrlPasswords);

/** base64, base64url and the token68 characters of RFC 7235. */
function isTokenChar(c: number): boolean {
  return ((CHAR[c] as number) & TOKEN) !== 0 || c === 61;
}

/** At least two of upper case, lower case, digits, symbols: `dXNlcjpw` yes, `authentication` no. */
function mixesClasses(text: string, start: number, end: number): boolean {
  let classes = 0;
  for (let i = start; i < end && classes !== 15; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) classes |= 1;
    else if (c >= 65 && c <= 90) classes |= 2;
    else if (c >= 97 && c <= 122) classes |= 4;
    else classes |= 8;
  }
  return classes !== 1 && classes !== 2 && classes !== 4 && classes !== 8;
}

/** Authorization schemes: `Bearer`, `Basic`, GitHub's `token`, Okta's `SSWS`, and other vendors'. */
const SCHEMES = [
  "bearer",
  "basic",
  "token",
  "ssws",
  "apikey",
  "api-key",
  "splunk",
  "geniekey",
  "oauth",
  "klaviyo-api-key",
  "deepl-auth-key",
  "key",
];

/** The schemes by their last letter (what precedes the space after them). */
const SCHEMES_BY_LAST: number[][] = Array.from({ length: 128 }, () => []);
SCHEMES.forEach((scheme, index) =>
  (SCHEMES_BY_LAST[scheme.charCodeAt(scheme.length - 1)] as number[]).push(index),
);
/** A scheme's letters for a case-insensitive regex: `k` also as the Kelvin sign, which `toLowerCase` maps to `k`. */
function schemeSource(scheme: string): string {
  return scheme.replace(/-/g, "\\-").replace(/k/g, "[k\\u212a]");
}
/**
 * A scheme, 1–8 spaces or tabs, then at least 8 token characters: only those candidates leave the
 * native search. It reads a scheme's possible last letter and a space or tab (a two-character check),
 * looks ahead for the token, and only then looks behind for the whole scheme. Linear: every part is
 * bounded (at most 7 + 8 characters ahead, the longest scheme behind). The match ends after the
 * first space.
 */
const BEARER_RE = new RegExp(
  `[rcnskhy\\u212a][ \\t](?=[ \\t]{0,7}[A-Za-z0-9\\-._~+/=]{8})(?<=(?:${SCHEMES.map(schemeSource).join("|")})[ \\t])`,
  "gi",
);

/** `Bearer <token>`, `Basic <base64>`, `SSWS <token>`…, when the token looks random. */
export const scanBearerTokens: Scanner = (text, out) => {
  const n = text.length;
  // Per scheme, where its search resumes (the end of the token after its last occurrence).
  const from = new Array<number>(SCHEMES.length).fill(0);
  BEARER_RE.lastIndex = 0;
  while (BEARER_RE.test(text)) {
    // The first space after the scheme, then the token after at most 8 spaces.
    const i = BEARER_RE.lastIndex - 1;
    let tokenStart = i;
    while (tokenStart - i < 8 && (text.charCodeAt(tokenStart) === 32 || text.charCodeAt(tokenStart) === 9)) {
      tokenStart++;
    }
    let tokenEnd = tokenStart;
    while (tokenEnd < n && isTokenChar(text.charCodeAt(tokenEnd))) tokenEnd++;
    // Which schemes end right before it (case-insensitive, at a word start)? `x-api-key <t>` is both
    // `api-key` and `key`: one span is enough.
    let pushed = false;
    const last = lowerCode(text.charCodeAt(i - 1));
    for (const index of last < 128 ? (SCHEMES_BY_LAST[last] as number[]) : []) {
      const scheme = SCHEMES[index] as string;
      const at = i - scheme.length;
      if (at < (from[index] as number) || !matchesLower(text, at, scheme)) continue;
      if (at > 0 && isAlnum(text.charCodeAt(at - 1))) continue;
      const long = tokenEnd - tokenStart >= (scheme === "token" || scheme === "key" ? 16 : MIN_BEARER_TOKEN);
      if (!pushed && long && mixesClasses(text, tokenStart, tokenEnd)) {
        out.add(tokenStart, tokenEnd, "bearer-token");
        pushed = true;
      }
      from[index] = tokenEnd;
    }
    // A scheme is followed by a space: none ends inside the token just read, but one may end with it.
    BEARER_RE.lastIndex = tokenEnd - 1;
  }
};
export const detectBearerTokens = detector(scanBearerTokens);

/** Longest value sliced for judging (a longer one under a sensitive key is masked by judge's own limit). */
const MAX_JUDGED_VALUE = 4097;

/** Character flags for the pair scan (code units < 128). */
const PAIR = new Uint8Array(128);
/** Letters, digits, `_ - .`: the characters of a key. */
const KEY_CHAR = 1;
/** Ends an unquoted value: whitespace, quotes, `, ; & < > ( ) [ ] { }`. */
const VALUE_END = 2;
for (let c = 0; c < 128; c++) {
  if (isAlnum(c) || c === 95 || c === 45 || c === 46) PAIR[c] = KEY_CHAR;
  if (isSpace(c) || "\"'`,;&<>()[]{}".includes(String.fromCharCode(c)))
    PAIR[c] = (PAIR[c] as number) | VALUE_END;
}
function pairFlag(c: number, bit: number): boolean {
  return c < 128 && ((PAIR[c] as number) & bit) !== 0;
}

/** `:` or `=`: one class, no quantifier (cannot backtrack). */
const SEPARATOR_RE = /[:=]/g;

/**
 * The sensitivity of recent keys, by a hash of their characters (direct-mapped, bounded): hostile
 * and real texts repeat the same few keys, and a hit costs one comparison of the key's characters
 * instead of a slice and a name classification.
 */
const KEY_SLOTS = 512;
const slotKeys: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
const slotSensitivity: Sensitivity[] = new Array<Sensitivity>(KEY_SLOTS).fill("none");

/** Whether `text[start, start + key.length)` is `key`. */
function sameAt(text: string, start: number, key: string): boolean {
  for (let k = 0; k < key.length; k++) if (text.charCodeAt(start + k) !== key.charCodeAt(k)) return false;
  return true;
}

/** The key keySensitivity() last classified (judge() is given it with the value). */
let lastKey = "";

function keySensitivity(text: string, start: number, end: number, hash: number): Sensitivity {
  const slot = (hash ^ (hash >>> 9)) & (KEY_SLOTS - 1);
  const known = slotKeys[slot];
  if (known !== undefined && known.length === end - start && sameAt(text, start, known)) {
    lastKey = known;
    return slotSensitivity[slot] as Sensitivity;
  }
  const key = text.slice(start, end);
  lastKey = key;
  const sensitivity = nameSensitivity(key);
  slotKeys[slot] = key;
  slotSensitivity[slot] = sensitivity;
  return sensitivity;
}

/** Verdicts of recent short values per sensitivity (direct-mapped like the keys): logs repeat values too. */
const VALUE_SLOTS = 512;
const MAX_REMEMBERED_VALUE = 64;
const slotValues: (string | undefined)[] = new Array<string | undefined>(VALUE_SLOTS).fill(undefined);
const slotValueSensitivity: (Sensitivity | undefined)[] = new Array<Sensitivity | undefined>(
  VALUE_SLOTS,
).fill(undefined);
const slotVerdict: boolean[] = new Array<boolean>(VALUE_SLOTS).fill(false);

/** Whether judge() masks `text[start, end)` under a key of `sensitivity`. */
function masksValue(
  text: string,
  start: number,
  end: number,
  key: string,
  sensitivity: Sensitivity,
): boolean {
  if (end - start > MAX_REMEMBERED_VALUE) {
    return judge(key, text.slice(start, Math.min(end, start + MAX_JUDGED_VALUE)), sensitivity) === "mask";
  }
  let hash = sensitivity.length;
  for (let k = start; k < end; k++) hash = (Math.imul(hash, 31) + text.charCodeAt(k)) | 0;
  const slot = (hash ^ (hash >>> 9)) & (VALUE_SLOTS - 1);
  const known = slotValues[slot];
  if (
    known !== undefined &&
    slotValueSensitivity[slot] === sensitivity &&
    known.length === end - start &&
    sameAt(text, start, known)
  ) {
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
  // The next ':' and '=' found by indexOf (-2: not searched yet; -1: none left).
  let nextColon = -2;
  let nextEquals = -2;
  let i = 0;
  while (i < n) {
    // Dense separators (hostile runs, YAML): a short JS scan that also drops, without leaving the
    // loop, separators with no key or a one-character key (no such name is sensitive): `:=:=`, `a:a:`.
    const stop = i + 32 < n ? i + 32 : n;
    let before = i > 0 ? text.charCodeAt(i - 1) : 10;
    // A key may run on from before i (where the last value ended): let pairAt() measure it.
    let keyRun = before < 128 && ((PAIR[before] as number) & KEY_CHAR) !== 0 ? 2 : 0;
    let at = -1;
    for (; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (
        (c === 58 || c === 61) &&
        (keyRun >= 2 || (keyRun === 0 && (before === 32 || before === 9 || before === 34 || before === 39)))
      ) {
        // prettier-ignore
        at = i;
        break;
      }
      keyRun = c < 128 && ((PAIR[c] as number) & KEY_CHAR) !== 0 ? keyRun + 1 : 0;
      before = c;
    }
    if (at < 0) {
      if (i >= n) break;
      // Far apart: indexOf, each separator searched for once (first one regex pass: is there any?
      // On text of two-byte characters, indexOf of a one-byte pattern is slow).
      if (nextColon === -2 && nextEquals === -2) {
        SEPARATOR_RE.lastIndex = i;
        if (!SEPARATOR_RE.test(text)) break;
      }
      if (nextColon !== -1 && nextColon < i) nextColon = text.indexOf(":", i);
      if (nextEquals !== -1 && nextEquals < i) nextEquals = text.indexOf("=", i);
      at = nextColon === -1 ? nextEquals : nextEquals === -1 ? nextColon : Math.min(nextColon, nextEquals);
      if (at < 0) break;
    }
    i = pairAt(text, at, out);
  }
};
export const detectSensitivePairs = detector(scanSensitivePairs);

/** Judges the pair whose separator is at `i` (pushing its value's span if masked); returns where to go on. */
function pairAt(text: string, i: number, out: SpanSink): number {
  const n = text.length;
  // `scheme://` belongs to the URL detector.
  if (text.charCodeAt(i) === 58 && text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47)
    return i + 3;
  // The key ending just before the separator (skipping up to 4 spaces and a closing quote).
  let j = i;
  while (j > 0 && i - j < 4 && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) j--;
  if (j > 0 && (text.charCodeAt(j - 1) === 34 || text.charCodeAt(j - 1) === 39)) j--;
  const keyEnd = j;
  let hash = 0;
  while (j > 0 && keyEnd - j < MAX_KEY && pairFlag(text.charCodeAt(j - 1), KEY_CHAR)) {
    j--;
    hash = (Math.imul(hash, 31) + text.charCodeAt(j)) | 0;
  }
  // No name of one character (or of none) is sensitive.
  if (keyEnd - j < 2) return i + 1;
  const sensitivity = keySensitivity(text, j, keyEnd, hash);
  if (sensitivity === "none") return i + 1;
  let k = i + 1;
  while (k < n && k - i < 16 && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
  const quote = text.charCodeAt(k);
  let start = k;
  let end: number;
  if (quote === 34 || quote === 39) {
    start = k + 1;
    end = start;
    while (end < n && text.charCodeAt(end) !== quote && text.charCodeAt(end) !== 10) {
      // A backslash escapes the next character inside JSON strings.
      end += text.charCodeAt(end) === 92 ? 2 : 1;
    }
    end = Math.min(end, n);
  } else {
    end = start;
    let inner = -1;
    for (; end < n; end++) {
      const v = text.charCodeAt(end);
      if (pairFlag(v, VALUE_END)) break;
      if (v === 61 && inner < 0) inner = end;
    }
    // `key: token=abc`: under a weakly sensitive key, a nested pair is judged on its own.
    if (sensitivity === "weak" && inner > start && inner < end - 1) end = inner;
  }
  // References and templates, not values: `${TOKEN}`, `{{ .token }}`, `<masked ...>`.
  const first = text.charCodeAt(start);
  const reference = first === 36 || first === 123 || first === 60;
  // Under a weak key judge() masks only values that look random, which takes 8 characters.
  const judged = end > start && !reference && (sensitivity !== "weak" || end - start >= 8);
  if (judged && masksValue(text, start, end, lastKey, sensitivity)) {
    out.add(start, end, "sensitive-pair");
  }
  // Skip the value either way: each character is scanned as a value at most once.
  return Math.max(end, i + 1);
}
