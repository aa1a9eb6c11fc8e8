/**
 * Matches the prefix rule table (./token-rules.ts) in one pass. At each word start a trie of the
 * prefixes is walked (at most the longest prefix's length), and the rules whose prefix matched are
 * tried, longest first (the most specific wins). A body is the maximal run of its alphabet: each
 * alphabet's run end is found once per run and memoised, so word starts inside a run already
 * scanned (`sk-sk-sk-…`, `-glpat-glpat-…`) cost a lookup; the randomness of bodies is judged by
 * sliding windows (one per alphabet), so asking it at every word start of a long run stays linear.
 */
import * as chars from "./char-table.js";
import { SlidingRandomness } from "./randomness.js";
import type { Alphabet, TokenRule } from "./token-rules.js";
import { TOKEN_RULES } from "./token-rules.js";
import { type Scanner, type SpanSink, detector } from "./span.js";

// Module-local copies: under the bench's loader (tsx, CommonJS interop) every use of an imported
// binding is a getter call.
const CHAR = chars.CHAR;
const ALNUM = chars.ALNUM;
const WORD = chars.WORD;
const DIGIT = chars.DIGIT;
const UPPER = chars.UPPER;
const LOWER = chars.LOWER;

const ALPHABETS: readonly Alphabet[] = ["A", "W", "D", "B", "H", "U", "L", "T", "S"];
const T_INDEX = ALPHABETS.indexOf("T");

/** For each ASCII character, one bit per alphabet (in ALPHABETS order) it belongs to. */
const IN_ALPHABET: Uint16Array = (() => {
  const table = new Uint16Array(128);
  const members: Record<Alphabet, string> = {
    A: "",
    W: "_",
    D: "_-",
    B: "+/=",
    H: "",
    U: "",
    L: "",
    T: "_-.",
    S: "$",
  };
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    const alnum = /[A-Za-z0-9]/.test(ch);
    ALPHABETS.forEach((a, bit) => {
      let member = members[a].includes(ch);
      if (a === "H") member = /[0-9a-fA-F]/.test(ch);
      else if (a === "U") member = /[0-9A-Z]/.test(ch);
      else if (a === "L") member = /[0-9a-z]/.test(ch);
      else member ||= alnum;
      if (member) table[c] = (table[c] as number) | (1 << bit);
    });
  }
  return table;
})();

/** A rule in the shape the scanner reads (one hidden class, no optional fields). */
class CompiledRule {
  readonly prefixLength: number;
  readonly alphabet: number;
  readonly min: number;
  readonly max: number;
  readonly random: boolean;
  /** Prefix and body alphabet are word characters only: a failed attempt covers a run of word characters. */
  readonly wordy: boolean;

  constructor(rule: TokenRule) {
    this.prefixLength = rule.prefix.length;
    this.alphabet = ALPHABETS.indexOf(rule.body);
    this.min = rule.min;
    this.max = rule.max ?? Number.MAX_SAFE_INTEGER;
    this.random = rule.random === true;
    this.wordy = WORDY_ALPHABETS.has(rule.body) && /^\w+$/.test(rule.prefix);
  }
}

/** Alphabets whose characters are all word characters (alphanumerics and `_`). */
const WORDY_ALPHABETS = new Set<Alphabet>(["A", "W", "H", "U", "L"]);
/** Alphabets of rules that ask for a random-looking body: their runs record where their classes last occur. */
const RANDOM_ALPHABETS = new Set(TOKEN_RULES.filter((r) => r.random).map((r) => ALPHABETS.indexOf(r.body)));

/** A trie of the prefixes over ASCII: `child[node * 128 + c]` (0: none), `rules[node]` ending there. */
const TRIE = (() => {
  const child: number[] = [];
  const rules: CompiledRule[][] = [[]];
  let nodes = 1;
  child.length = 128;
  for (const rule of TOKEN_RULES) {
    let node = 0;
    for (let k = 0; k < rule.prefix.length; k++) {
      const c = rule.prefix.charCodeAt(k);
      if (c >= 128) throw new Error(`token rule ${rule.id}: prefix outside ASCII`);
      let next = child[node * 128 + c] ?? 0;
      if (next === 0) {
        next = nodes++;
        child.length = nodes * 128;
        child[node * 128 + c] = next;
        rules.push([]);
      }
      node = next;
    }
    // Same prefix, table order: as the table lists them.
    (rules[node] as CompiledRule[]).push(new CompiledRule(rule));
  }
  const table = new Int32Array(nodes * 128);
  child.forEach((v, k) => (table[k] = v ?? 0));
  const depth = Math.max(...TOKEN_RULES.map((r) => r.prefix.length));
  const terminal = Uint8Array.from(rules, (r) => (r.length > 0 ? 1 : 0));
  return { child: table, rules, terminal, depth };
})();

const CHILD = TRIE.child;
const TERMINAL = TRIE.terminal;
const RULES = TRIE.rules;

/** Per-call state: the last run found for each alphabet, and the randomness windows. */
class Runs {
  private readonly start = new Int32Array(ALPHABETS.length).fill(-1);
  private readonly end = new Int32Array(ALPHABETS.length).fill(-1);
  /** For T: the run end without its trailing dots (a `.` after a token is punctuation). */
  private dotless = -1;
  private readonly windows: (SlidingRandomness | undefined)[] = [];
  /** Per alphabet: positions of the second-to-last digit, capital, lower-case letter and letter of its run. */
  private readonly lastClasses = new Int32Array(4 * ALPHABETS.length).fill(-1);

  constructor(private readonly text: string) {}

  /** The end of the maximal run of alphabet `a` from `from`. */
  runEnd(from: number, a: number): number {
    if (from >= (this.start[a] as number) && from <= (this.end[a] as number)) return this.end[a] as number;
    const text = this.text;
    const bit = 1 << a;
    let end = from;
    if (RANDOM_ALPHABETS.has(a)) {
      // Where the run's last two digits, capitals, lower-case letters and letters are: a body with
      // fewer than two of the classes looksRandom needs cannot look random, whatever its window.
      let d1 = -1;
      let d2 = -1;
      let u1 = -1;
      let u2 = -1;
      let l1 = -1;
      let l2 = -1;
      for (; end < text.length; end++) {
        const c = text.charCodeAt(end);
        if (c >= 128 || ((IN_ALPHABET[c] as number) & bit) === 0) break;
        const f = CHAR[c] as number;
        if ((f & DIGIT) !== 0) {
          d2 = d1;
          d1 = end;
        } else if ((f & UPPER) !== 0) {
          u2 = u1;
          u1 = end;
        } else if ((f & LOWER) !== 0) {
          l2 = l1;
          l1 = end;
        }
      }
      const classes = 4 * a;
      this.lastClasses[classes] = d2;
      this.lastClasses[classes + 1] = u2;
      this.lastClasses[classes + 2] = l2;
      // The second-to-last letter: the larger of the second-to-last capital and lower-case letter,
      // unless the last of one and the last of the other are the two last letters.
      this.lastClasses[classes + 3] = Math.max(u2, l2, Math.min(u1, l1));
    } else {
      for (; end < text.length; end++) {
        const c = text.charCodeAt(end);
        if (c >= 128 || ((IN_ALPHABET[c] as number) & bit) === 0) break;
      }
    }
    this.start[a] = from;
    this.end[a] = end;
    if (a === T_INDEX) {
      let p = end;
      while (p > from && text.charCodeAt(p - 1) === 46) p--;
      this.dotless = p;
    }
    return end;
  }

  /**
   * Whether a body from `start` in the last run of `a` holds what looksRandom needs at the least:
   * two digits and two letters, or two capitals and two lower-case letters.
   */
  mayLookRandom(start: number, a: number): boolean {
    const k = 4 * a;
    const l = this.lastClasses;
    return (
      ((l[k] as number) >= start && (l[k + 3] as number) >= start) ||
      ((l[k + 1] as number) >= start && (l[k + 2] as number) >= start)
    );
  }

  /** The body's end: the run end, less trailing dots for dotted alphabets. */
  bodyEnd(from: number, a: number): number {
    const known = this.end[a] as number;
    const end = from >= (this.start[a] as number) && from <= known ? known : this.runEnd(from, a);
    // The dots were counted back from the run end once; a later start inside the run shares them.
    return a === T_INDEX ? Math.max(from, this.dotless) : end;
  }

  looksRandom(start: number, end: number, a: number): boolean {
    const window = (this.windows[a] ??= new SlidingRandomness(this.text));
    return window.judge(start, end);
  }
}

/** The end of a token matching `rules` (one trie node's) at `at`, or -1. */
function matchRules(text: string, at: number, rules: readonly CompiledRule[], runs: Runs): number {
  for (let k = 0; k < rules.length; k++) {
    const rule = rules[k] as CompiledRule;
    const alphabet = rule.alphabet;
    const bodyStart = at + rule.prefixLength;
    const end = runs.bodyEnd(bodyStart, alphabet);
    if (rule.wordy && end > wordEnd) wordEnd = end;
    const length = end - bodyStart;
    if (length < rule.min || length > rule.max) continue;
    // The token must end at a word boundary: `AKIA…` followed by lower-case letters is something else.
    if (end < text.length && ((CHAR[text.charCodeAt(end)] as number) & ALNUM) !== 0) continue;
    if (
      rule.random &&
      !(runs.mayLookRandom(bodyStart, alphabet) && runs.looksRandom(bodyStart, end, alphabet))
    )
      continue;
    return end;
  }
  return -1;
}

/** After a failed matchAt: where the run of word characters from the word start is known to reach. */
let wordEnd = -1;

/** Trie nodes with rules met along the walk from a word start (reused between word starts). */
const found = new Int32Array(TRIE.depth + 1);

/** The end of the token at word start `at` (first character `c`), or -1. */
function matchAt(text: string, at: number, c: number, runs: Runs): number {
  let node = CHILD[c] as number;
  let hits = 0;
  let j = at + 1;
  while (node !== 0) {
    if (TERMINAL[node] === 1) found[hits++] = node;
    if (j >= text.length) break;
    const next = text.charCodeAt(j++);
    if (next >= 128) break;
    node = CHILD[node * 128 + next] as number;
  }
  // Longest prefix first.
  while (hits > 0) {
    const end = matchRules(text, at, RULES[found[--hits] as number] as CompiledRule[], runs);
    if (end >= 0) return end;
  }
  return -1;
}

/**
 * Per code unit: 0 for a non-word character, WORD_CHAR for a word character, WORD_CHAR + 1 for one a
 * prefix starts with. A word start of a possible prefix is where the value rises by exactly
 * CANDIDATE from the previous character's (one compare per character).
 */
const WORD_CHAR = 4;
const CANDIDATE = WORD_CHAR + 1;
const START: Uint8Array = (() => {
  const table = new Uint8Array(65536);
  for (let c = 0; c < 128; c++) if (((CHAR[c] as number) & WORD) !== 0) table[c] = WORD_CHAR;
  for (const rule of TOKEN_RULES) table[rule.prefix.charCodeAt(0)] = CANDIDATE;
  return table;
})();

/** `PAIR[c0 << 7 | c1]`: 1 where some prefix starts with `c0 c1` (every prefix has two characters or more). */
const PAIR: Uint8Array = (() => {
  const table = new Uint8Array(128 * 128);
  for (const rule of TOKEN_RULES) table[(rule.prefix.charCodeAt(0) << 7) | rule.prefix.charCodeAt(1)] = 1;
  return table;
})();

/**
 * The token at candidate word start `at` (first character `c`), pushed to `out`: returns the last
 * index the scan may skip to (the token's last character, or the last word character the rules
 * read), or `at` when nothing was found. Kept out of the scanning loop so that loop stays small.
 */
function candidate(text: string, at: number, c: number, runs: Runs, out: SpanSink): number {
  wordEnd = -1;
  const end = matchAt(text, at, c, runs);
  if (end > at) {
    out.add(at, end, "known-token");
    return end - 1;
  }
  // No word starts inside a run of word characters: skip the part the rules already read.
  return wordEnd > at + 1 ? wordEnd - 1 : at;
}

/** Every token of a known prefixed format. */
export const scanPrefixedTokens: Scanner = (text, out) => {
  let runs: Runs | undefined;
  const start = START;
  const pair = PAIR;
  const length = text.length;
  let previous = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    const k = start[c] as number;
    if (k - previous === CANDIDATE) {
      // Most candidates fail on the second character: look it up before setting up a match.
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 128;
      if (next < 128 && pair[(c << 7) | next] === 1) {
        const last = candidate(text, i, c, (runs ??= new Runs(text)), out);
        if (last > i) {
          i = last;
          previous = WORD_CHAR;
          continue;
        }
      }
    }
    previous = k;
  }
};
export const detectPrefixedTokens = detector(scanPrefixedTokens);
