/**
 * Detectors for credentials recognisable by their own structure: JWTs and PEM private keys
 * (prefixed tokens are in ./token-rules.ts). Each visits every character a bounded number of times,
 * so a hostile 10 MB string costs linear time; native searches find the candidates (no
 * backtracking regexes: each is a literal with bounded classes).
 */
import { type Scanner, detector } from "./span.js";
import { isUpperOrDigit } from "./span.js";

const JWT_MIN_SEGMENT = 8;

/** Word characters of a token: letters, digits, `_` and `-` (1; one read per character). */
const JWT_WORD = new Uint8Array(65536);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
  JWT_WORD[c.charCodeAt(0)] = 1;
function isWordChar(c: number): boolean {
  return JWT_WORD[c] === 1;
}

/** The rest of a segment, once it is long: one class, sticky (native). */
const SEGMENT_RE = /[A-Za-z0-9_-]*/y;
/** Characters of a segment read in JS before the native search takes over. */
const SHORT_SEGMENT = 32;

/** The end of the run of word characters starting at `i`. */
function segmentEnd(text: string, i: number): number {
  const n = text.length;
  const stop = i + SHORT_SEGMENT < n ? i + SHORT_SEGMENT : n;
  while (i < stop && isWordChar(text.charCodeAt(i))) i++;
  if (i < stop || i >= n) return i;
  SEGMENT_RE.lastIndex = i;
  SEGMENT_RE.test(text);
  return SEGMENT_RE.lastIndex;
}

/** `eyJ` at `i` (compared by code unit: cheaper than startsWith per candidate). */
function isEyJ(text: string, i: number): boolean {
  return text.charCodeAt(i) === 101 && text.charCodeAt(i + 1) === 121 && text.charCodeAt(i + 2) === 74;
}

const EYJ_RE = /eyJ/g; // a literal: no backtracking

/**
 * `J`s that indexOf found and that did not end an `eyJ`, and how many scanJwts() allows before it
 * searches with EYJ_RE instead (reset by each scan; scans do not nest).
 */
let jMisses = 0;
let maxJMisses = 0;

/**
 * The next `eyJ` at or after `from`: a few characters looked at in JS (JWTs in a row), then its `J`
 * by indexOf (a one-character search, fast unless `J`s abound), then, once `J`s turned out to abound
 * (one in 64 characters), the regex (fast unless `e`s abound: it stops at each).
 */
function nextEyJ(text: string, from: number): number {
  const stop = Math.min(from + 8, text.length - 2);
  for (let i = from; i < stop; i++) if (isEyJ(text, i)) return i;
  if (stop < from + 8) return -1;
  let j = stop + 2;
  while (jMisses < maxJMisses) {
    j = text.indexOf("J", j);
    if (j < 0) return -1;
    if (text.charCodeAt(j - 1) === 121 && text.charCodeAt(j - 2) === 101) return j - 2;
    jMisses++;
    j++;
  }
  // An `eyJ` not found yet ends past the last `J` looked at.
  EYJ_RE.lastIndex = j - 2;
  return EYJ_RE.test(text) ? EYJ_RE.lastIndex - 3 : -1;
}

/** JWTs: `eyJ<header>.eyJ<payload>.<signature>` (the signature may be empty for `alg: none`). */
export const scanJwts: Scanner = (text, out) => {
  jMisses = 0;
  maxJMisses = text.length >>> 6;
  let from = 0;
  // The first `.` at or after the last candidate (-2: not searched yet): a JWT holds one.
  let nextDot = -2;
  for (;;) {
    const at = nextEyJ(text, from);
    if (at < 0) break;
    if (at > 0 && isWordChar(text.charCodeAt(at - 1))) {
      from = at + 3;
      continue;
    }
    if (nextDot < at) {
      nextDot = text.indexOf(".", at);
      if (nextDot < 0) break;
    }
    // Up to three dot-separated base64url segments.
    const header = segmentEnd(text, at);
    if (header - at >= JWT_MIN_SEGMENT && text.charCodeAt(header) === 46 && isEyJ(text, header + 1)) {
      const payload = segmentEnd(text, header + 1);
      if (payload - header - 1 >= JWT_MIN_SEGMENT && text.charCodeAt(payload) === 46) {
        const end = segmentEnd(text, payload + 1);
        out.add(at, end, "jwt");
        from = end;
        continue;
      }
    }
    // Any later `eyJ` inside the header follows a word character; skipping it keeps this linear.
    from = at + Math.max(3, header - at);
  }
};
export const detectJwts = detector(scanJwts);

const PEM_END = "-----END ";
const PEM_DASHES = "-----";
/** Longest PEM label we look at (`ENCRYPTED PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`...). */
const MAX_PEM_LABEL = 64;
/**
 * A BEGIN line whose label (at most MAX_PEM_LABEL of `[A-Z0-9 ]`) ends in `PRIVATE KEY` or
 * `PRIVATE KEY BLOCK`. Linear: a literal, then one bounded class (which cannot match the `P` of
 * the suffix ambiguously for more than its bound) and literals.
 */
const PEM_BEGIN_RE = /-----BEGIN (?:[A-Z0-9 ]{0,53}PRIVATE KEY|[A-Z0-9 ]{0,47}PRIVATE KEY BLOCK)-----/g;

/** The end of a PEM label ending in `PRIVATE KEY` / `PRIVATE KEY BLOCK` right after `from`, or -1. */
function privateKeyLabelEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + MAX_PEM_LABEL);
  let i = from;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (!(isUpperOrDigit(c) || c === 32)) break;
    i++;
  }
  if (!text.startsWith(PEM_DASHES, i)) return -1;
  const ends = (suffix: string) => i - from >= suffix.length && text.startsWith(suffix, i - suffix.length);
  return ends("PRIVATE KEY") || ends("PRIVATE KEY BLOCK") ? i + PEM_DASHES.length : -1;
}

/**
 * PEM private keys from `-----BEGIN ... PRIVATE KEY-----` to the matching END line. A key with
 * no END line (cut-off log line) is masked to the end of the text: fail closed.
 */
export const scanPrivateKeys: Scanner = (text, out) => {
  PEM_BEGIN_RE.lastIndex = 0;
  for (let m = PEM_BEGIN_RE.exec(text); m !== null; m = PEM_BEGIN_RE.exec(text)) {
    const at = m.index;
    const headerEnd = PEM_BEGIN_RE.lastIndex;
    const endAt = text.indexOf(PEM_END, headerEnd);
    if (endAt < 0) {
      out.add(at, text.length, "private-key");
      break;
    }
    const footerEnd = privateKeyLabelEnd(text, endAt + PEM_END.length);
    const end = footerEnd < 0 ? endAt + PEM_END.length : footerEnd;
    out.add(at, end, "private-key");
    PEM_BEGIN_RE.lastIndex = end;
  }
};
export const detectPrivateKeys = detector(scanPrivateKeys);
