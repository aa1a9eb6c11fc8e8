/**
 * Detectors for credentials recognisable by their own structure: JWTs and PEM private keys
 * (prefixed tokens are in ./token-rules.ts). Hand-written scanners: each visits every character a bounded
 * number of times, so a hostile 10 MB string costs linear time (no backtracking regexes).
 */
import type { Detector, Span } from "./span.js";
import { isAlnum, isUpperOrDigit } from "./span.js";

const JWT_MIN_SEGMENT = 8;

/** Word characters of a token: letters, digits, `_` and `-`. */
function isWordChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 45;
}

/** JWTs: `eyJ<header>.eyJ<payload>.<signature>` (the signature may be empty for `alg: none`). */
export const detectJwts: Detector = (text) => {
  const out: Span[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf("eyJ", from);
    if (at < 0) break;
    if (at > 0 && isWordChar(text.charCodeAt(at - 1))) {
      from = at + 3;
      continue;
    }
    let i = at;
    const segments: number[] = [];
    let segStart = i;
    // Up to three dot-separated base64url segments; stops at the first other character.
    while (i <= text.length) {
      const c = i < text.length ? text.charCodeAt(i) : -1;
      if (c >= 0 && isWordChar(c)) {
        i++;
        continue;
      }
      segments.push(i - segStart);
      if (c !== 46 || segments.length === 3) break;
      i++;
      segStart = i;
    }
    const headerOk = (segments[0] ?? 0) >= JWT_MIN_SEGMENT;
    const payloadOk =
      (segments[1] ?? 0) >= JWT_MIN_SEGMENT && text.startsWith("eyJ", at + (segments[0] ?? 0) + 1);
    if (segments.length >= 3 && headerOk && payloadOk) {
      out.push({ start: at, end: i, kind: "jwt" });
      from = i;
    } else {
      // Any later `eyJ` inside the first segment follows a word character; skipping it keeps this linear.
      from = at + Math.max(3, segments[0] ?? 0);
    }
  }
  return out;
};

const PEM_BEGIN = "-----BEGIN ";
const PEM_END = "-----END ";
const PEM_DASHES = "-----";
/** Longest PEM label we look at (`ENCRYPTED PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`...). */
const MAX_PEM_LABEL = 64;

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
  const label = text.slice(from, i);
  return label.endsWith("PRIVATE KEY") || label.endsWith("PRIVATE KEY BLOCK") ? i + PEM_DASHES.length : -1;
}

/**
 * PEM private keys from `-----BEGIN ... PRIVATE KEY-----` to the matching END line. A key with
 * no END line (cut-off log line) is masked to the end of the text: fail closed.
 */
export const detectPrivateKeys: Detector = (text) => {
  const out: Span[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf(PEM_BEGIN, from);
    if (at < 0) break;
    const headerEnd = privateKeyLabelEnd(text, at + PEM_BEGIN.length);
    if (headerEnd < 0) {
      from = at + 1;
      continue;
    }
    const endAt = text.indexOf(PEM_END, headerEnd);
    if (endAt < 0) {
      out.push({ start: at, end: text.length, kind: "private-key" });
      break;
    }
    const footerEnd = privateKeyLabelEnd(text, endAt + PEM_END.length);
    const end = footerEnd < 0 ? endAt + PEM_END.length : footerEnd;
    out.push({ start: at, end, kind: "private-key" });
    from = end;
  }
  return out;
};
