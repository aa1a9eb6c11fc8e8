/**
 * Detectors for secrets recognisable by their context: the password of a URL (`postgres://u:p@h`),
 * bearer/basic credentials, and `key=value` / `key: value` pairs whose key names a secret.
 * Hand-written, linear-time scanners: every look-around is bounded or skipped over afterwards.
 */
import { looksRandom } from "./randomness.js";
import { nameSensitivity } from "./sensitive-names.js";
import type { Sensitivity } from "./sensitive-names.js";
import { judge } from "./value-judge.js";
import type { Detector, Span } from "./span.js";
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

/** The password of `scheme://user:password@host`, keeping scheme, user and host. */
export const detectUrlPasswords: Detector = (text) => {
  const out: Span[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf("://", from);
    if (at < 0) break;
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
      out.push({ start: at + 3, end: lastAt, kind: "url-password" });
      from = lastAt;
      continue;
    }
    if (colon >= lastAt - 1) continue;
    out.push({ start: colon + 1, end: lastAt, kind: "url-password" });
    from = lastAt;
  }
  return out;
};

function isTokenChar(c: number): boolean {
  // base64, base64url and the token68 characters of RFC 7235.
  return isAlnum(c) || c === 45 || c === 46 || c === 95 || c === 126 || c === 43 || c === 47 || c === 61;
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

/** `Bearer <token>`, `Basic <base64>`, `SSWS <token>`…, when the token looks random. */
export const detectBearerTokens: Detector = (text) => {
  const out: Span[] = [];
  const lower = text.toLowerCase();
  for (const scheme of SCHEMES) {
    let from = 0;
    for (;;) {
      const at = lower.indexOf(scheme, from);
      if (at < 0) break;
      from = at + scheme.length;
      if (at > 0 && isAlnum(text.charCodeAt(at - 1))) continue;
      let i = from;
      while (i < text.length && i - from < 8 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
      if (i === from) continue;
      const start = i;
      while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
      const long = i - start >= (scheme === "token" || scheme === "key" ? 16 : MIN_BEARER_TOKEN);
      if (long && mixesClasses(text, start, i)) {
        out.push({ start, end: i, kind: "bearer-token" });
      }
      from = i;
    }
  }
  return out;
};

/** Longest value sliced for judging (a longer one under a sensitive key is masked by judge's own limit). */
const MAX_JUDGED_VALUE = 4097;

/** nameSensitivity, remembered per scan (bounded, like `remembered`). */
function rememberedSensitivity(): (key: string) => Sensitivity {
  const cache = new Map<string, Sensitivity>();
  return (key) => {
    let s = cache.get(key);
    if (s === undefined) {
      s = nameSensitivity(key);
      if (cache.size < 1024) cache.set(key, s);
    }
    return s;
  };
}

function isKeyChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 45 || c === 46;
}

/** Characters that end an unquoted value. */
function endsValue(c: number): boolean {
  return (
    isSpace(c) ||
    c === 34 || // "
    c === 39 || // '
    c === 96 || // `
    c === 44 || // ,
    c === 59 || // ;
    c === 38 || // &
    c === 60 || // <
    c === 62 || // >
    c === 40 || // (
    c === 41 || // )
    c === 91 || // [
    c === 93 || // ]
    c === 123 || // {
    c === 125 // }
  );
}

/** The key ending just before the separator at `sep` (skipping spaces and a closing quote), or undefined. */
function keyBefore(text: string, sep: number): string | undefined {
  let j = sep;
  while (j > 0 && sep - j < 4 && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) j--;
  if (j > 0 && (text.charCodeAt(j - 1) === 34 || text.charCodeAt(j - 1) === 39)) j--;
  const end = j;
  while (j > 0 && end - j < MAX_KEY && isKeyChar(text.charCodeAt(j - 1))) j--;
  return j === end ? undefined : text.slice(j, end);
}

/**
 * Generic `key=value`, `key: value`, `"key": "value"` pairs whose key names a secret. Password keys
 * are masked at any length >= 3; other keys (token, secret, api key...) when the value is >= 8
 * characters and looks random (>= 3 bits/char), so `secretName: db` stays readable.
 */
export const detectSensitivePairs: Detector = (text) => {
  const out: Span[] = [];
  // Logs repeat the same few keys: remember each key's sensitivity.
  const sensitivityOf = rememberedSensitivity();
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 61 && c !== 58) {
      i++;
      continue;
    }
    // `scheme://` belongs to the URL detector.
    if (c === 58 && text.startsWith("//", i + 1)) {
      i += 3;
      continue;
    }
    const key = keyBefore(text, i);
    const sensitivity = key === undefined ? "none" : sensitivityOf(key);
    if (key === undefined || sensitivity === "none") {
      i++;
      continue;
    }
    let k = i + 1;
    while (k < text.length && k - i < 16 && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
    const quote = text.charCodeAt(k);
    let start = k;
    let end: number;
    if (quote === 34 || quote === 39) {
      start = k + 1;
      end = start;
      while (end < text.length && text.charCodeAt(end) !== quote && text.charCodeAt(end) !== 10) {
        // A backslash escapes the next character inside JSON strings.
        end += text.charCodeAt(end) === 92 ? 2 : 1;
      }
      end = Math.min(end, text.length);
    } else {
      end = start;
      while (end < text.length && !endsValue(text.charCodeAt(end))) end++;
      // `key: token=abc`: under a weakly sensitive key, a nested pair is judged on its own.
      if (sensitivity === "weak") {
        const inner = text.indexOf("=", start);
        if (inner > start && inner < end - 1) end = inner;
      }
    }
    // References and templates, not values: `${TOKEN}`, `{{ .token }}`, `<masked ...>`.
    const first = text.charCodeAt(start);
    const reference = first === 36 || first === 123 || first === 60;
    if (
      end > start &&
      !reference &&
      judge(key, text.slice(start, Math.min(end, start + MAX_JUDGED_VALUE)), sensitivity) === "mask"
    ) {
      out.push({ start, end, kind: "sensitive-pair" });
    }
    // Skip the value either way: each character is scanned as a value at most once.
    i = Math.max(end, i + 1);
  }
  return out;
};
