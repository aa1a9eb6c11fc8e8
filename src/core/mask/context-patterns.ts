/**
 * Detectors for secrets recognisable by their context: the password of a URL (`postgres://u:p@h`),
 * bearer/basic credentials, and (./sensitive-pairs.ts) `key=value` / `key: value` pairs whose key names a secret.
 * Hand-written, linear-time scanners: every look-around is bounded or skipped over afterwards.
 */
import { lowerCode, matchesLower } from "./context-scan.js";
import { looksRandom } from "./randomness.js";
import { type Scanner, detector } from "./span.js";
import { isAlnum, isSpace } from "./span.js";

const MAX_SCHEME = 32;
const MAX_AUTHORITY = 1024;
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
  // Every match ends at an `@`, at most 1025 characters after its `//`: start there (none: done).
  const firstAt = text.indexOf("@");
  if (firstAt < 0) return;
  let from = 0;
  USERINFO_RE.lastIndex = firstAt > 1025 ? firstAt - 1025 : 0;
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

/**
 * The characters of a token (base64, base64url and the token68 characters of RFC 7235) by class:
 * digit 1, upper case 2, lower case 4, `+ / _ - . ~ =` 8; 0 for any other character.
 */
const TOKEN_CLASS = new Uint8Array(65536);
for (let c = 48; c <= 57; c++) TOKEN_CLASS[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN_CLASS[c] = 2;
for (let c = 97; c <= 122; c++) TOKEN_CLASS[c] = 4;
for (const c of "+/_-.~=") TOKEN_CLASS[c.charCodeAt(0)] = 8;

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
/** Each scheme's last four (or three) characters, one byte each, the last lowest: see tailAt(). */
const SCHEME_TAILS = Int32Array.from(SCHEMES, (scheme) => {
  let tail = 0;
  for (let k = Math.max(0, scheme.length - 4); k < scheme.length; k++)
    tail = (tail << 8) | scheme.charCodeAt(k);
  return tail;
});
/** Which bytes of tailAt() a scheme's tail covers (a three-letter scheme: three). */
const SCHEME_TAIL_MASKS = Int32Array.from(SCHEMES, (scheme) => (scheme.length >= 4 ? -1 : 0xffffff));

/** One character of tailAt(): lower-cased, 255 for any non-ASCII (no scheme holds one), 0 before the text. */
function tailByte(text: string, k: number): number {
  const c = lowerCode(text.charCodeAt(k));
  return c > 127 ? 255 : c | 0;
}

/** The four characters before `i` as SCHEME_TAILS holds them: a scheme whose tail matches compares the rest. */
function tailAt(text: string, i: number): number {
  return (
    (tailByte(text, i - 4) << 24) |
    (tailByte(text, i - 3) << 16) |
    (tailByte(text, i - 2) << 8) |
    tailByte(text, i - 1)
  );
}

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
    // The token, and its classes (at least two of them: `dXNlcjpw` yes, `authentication` no).
    let tokenEnd = tokenStart;
    let classes = 0;
    while (tokenEnd < n) {
      const f = TOKEN_CLASS[text.charCodeAt(tokenEnd)] as number;
      if (f === 0) break;
      classes |= f;
      tokenEnd++;
    }
    const mixes = (classes & (classes - 1)) !== 0;
    // Which schemes end right before it (case-insensitive, at a word start)? `x-api-key <t>` is both
    // `api-key` and `key`: one span is enough.
    let pushed = false;
    const last = lowerCode(text.charCodeAt(i - 1));
    const tail = tailAt(text, i);
    for (const index of last < 128 ? (SCHEMES_BY_LAST[last] as number[]) : []) {
      if ((tail & (SCHEME_TAIL_MASKS[index] as number)) !== SCHEME_TAILS[index]) continue;
      const scheme = SCHEMES[index] as string;
      const at = i - scheme.length;
      // The tail matched: what is left of the scheme is before it.
      if (
        at < (from[index] as number) ||
        (scheme.length > 4 && !matchesLower(text, at, scheme, scheme.length - 4))
      )
        continue;
      if (at > 0 && isAlnum(text.charCodeAt(at - 1))) continue;
      const long = tokenEnd - tokenStart >= (scheme === "token" || scheme === "key" ? 16 : MIN_BEARER_TOKEN);
      if (!pushed && long && mixes) {
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

export { detectSensitivePairs, scanSensitivePairs } from "./sensitive-pairs.js";
