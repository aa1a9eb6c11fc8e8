/**
 * Matches the prefix rule table (./token-rules.ts) in one pass: at each word start, the rules whose
 * prefix begins with that character are tried; a body is the maximal run of its alphabet. Runs are
 * memoised per alphabet, so overlapping attempts on hostile text (`-glpat-glpat-…`) stay linear.
 */
import { looksRandom } from "./randomness.js";
import type { Alphabet, TokenRule } from "./token-rules.js";
import { TOKEN_RULES } from "./token-rules.js";
import type { Detector, Span } from "./span.js";
import { isAlnum } from "./span.js";

function inAlphabet(a: Alphabet, c: number): boolean {
  const alnum = isAlnum(c);
  switch (a) {
    case "A":
      return alnum;
    case "W":
      return alnum || c === 95;
    case "D":
      return alnum || c === 95 || c === 45;
    case "B":
      return alnum || c === 43 || c === 47 || c === 61;
    case "H":
      return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    case "U":
      return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
    case "L":
      return (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
    case "T":
      return alnum || c === 95 || c === 45 || c === 46;
    case "S":
      return alnum || c === 36;
  }
}

/** Rules by the first character of their prefix, longest prefix first (the most specific wins). */
const BUCKETS: (TokenRule[] | undefined)[] = (() => {
  const buckets: (TokenRule[] | undefined)[] = [];
  for (const rule of TOKEN_RULES) {
    const c = rule.prefix.charCodeAt(0);
    (buckets[c] ??= []).push(rule);
  }
  for (const bucket of buckets) bucket?.sort((a, b) => b.prefix.length - a.prefix.length);
  return buckets;
})();

function isWordChar(c: number): boolean {
  return isAlnum(c) || c === 95;
}

/** The end of the maximal `alphabet` run from `from`, memoised while `from` stays inside the last run. */
type RunMemo = Map<Alphabet, { start: number; end: number }>;

function runEnd(text: string, from: number, a: Alphabet, memo: RunMemo): number {
  const last = memo.get(a);
  if (last !== undefined && from >= last.start && from <= last.end) return last.end;
  let end = from;
  while (end < text.length && inAlphabet(a, text.charCodeAt(end))) end++;
  memo.set(a, { start: from, end });
  return end;
}

/** The end of a token matching one of `rules` at `at`, or -1. */
function matchAt(text: string, at: number, rules: readonly TokenRule[], memo: RunMemo): number {
  for (const rule of rules) {
    if (!text.startsWith(rule.prefix, at)) continue;
    const bodyStart = at + rule.prefix.length;
    let end = runEnd(text, bodyStart, rule.body, memo);
    // A trailing `.`/`-`/`=` is punctuation after the token more often than part of it.
    while (end > bodyStart && (rule.body === "T" || rule.body === "D") && text.charCodeAt(end - 1) === 46)
      end--;
    const length = end - bodyStart;
    if (length < rule.min || (rule.max !== undefined && length > rule.max)) continue;
    // The token must end at a word boundary: `AKIA…` followed by lower-case letters is something else.
    if (end < text.length && isAlnum(text.charCodeAt(end))) continue;
    if (rule.random && !looksRandom(text, bodyStart, end)) continue;
    return end;
  }
  return -1;
}

/** Every token of a known prefixed format. */
export const detectPrefixedTokens: Detector = (text) => {
  const out: Span[] = [];
  const memo: RunMemo = new Map();
  let previousWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const word = isWordChar(c);
    if (word && !previousWord && c < 128) {
      const rules = BUCKETS[c];
      if (rules !== undefined) {
        const end = matchAt(text, i, rules, memo);
        if (end > i) {
          out.push({ start: i, end, kind: "known-token" });
          i = end - 1;
          previousWord = true;
          continue;
        }
      }
    }
    previousWord = word;
  }
  return out;
};
