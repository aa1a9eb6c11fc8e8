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

/** A regex character class of the ASCII characters `keep` accepts (each escaped). */
function charClass(keep: (c: number) => boolean): string {
  let out = "";
  for (let c = 0; c < 128; c++) if (keep(c)) out += "\\x" + c.toString(16).padStart(2, "0");
  return `[${out}]`;
}

/**
 * Per alphabet, sticky regexes reading a run natively (long runs cost a fraction of a JS loop):
 * `run` the whole run, and per class (digit, capital, lower-case letter) the run's characters
 * outside that class (where it stops, the class occurs or the run ends). Each is one character
 * class with `*`: it cannot backtrack.
 */
const RUN_READERS = ALPHABETS.map((_, a) => {
  const inside = (c: number): boolean => (((IN_ALPHABET[c] as number) >> a) & 1) === 1;
  const sticky = (keep: (c: number) => boolean): RegExp => new RegExp(`${charClass(keep)}*`, "y");
  return {
    run: sticky(inside),
    classes: [DIGIT, UPPER, LOWER].map((flag) =>
      sticky((c) => inside(c) && ((CHAR[c] as number) & flag) === 0),
    ),
  };
});

type RunReaders = (typeof RUN_READERS)[number];

/** Where the sticky `reader` stops reading `text` from `from`. */
function readTo(reader: RegExp, text: string, from: number): number {
  reader.lastIndex = from;
  reader.test(text);
  return reader.lastIndex;
}

/** A rule in the shape the scanner reads (one hidden class, no optional fields). */
class CompiledRule {
  readonly prefixLength: number;
  readonly alphabet: number;
  readonly min: number;
  readonly max: number;
  readonly random: boolean;
  readonly mixed: boolean;
  /** Prefix and body alphabet are word characters only: a failed attempt covers a run of word characters. */
  readonly wordy: boolean;

  constructor(rule: TokenRule) {
    this.prefixLength = rule.prefix.length;
    this.alphabet = ALPHABETS.indexOf(rule.body);
    this.min = rule.min;
    this.max = rule.max ?? Number.MAX_SAFE_INTEGER;
    this.random = rule.random === true;
    this.mixed = rule.mixed === true;
    this.wordy = WORDY_ALPHABETS.has(rule.body) && /^\w+$/.test(rule.prefix);
  }
}

/** Alphabets whose characters are all word characters (alphanumerics and `_`). */
const WORDY_ALPHABETS = new Set<Alphabet>(["A", "W", "H", "U", "L"]);

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
  /** Per alphabet: whether lastClasses describes its last run (found when first asked). */
  private readonly classesKnown = new Uint8Array(ALPHABETS.length);

  constructor(private readonly text: string) {}

  /** The end of the maximal run of alphabet `a` from `from`. */
  runEnd(from: number, a: number): number {
    if (from >= (this.start[a] as number) && from <= (this.end[a] as number)) return this.end[a] as number;
    const text = this.text;
    const bit = 1 << a;
    let end = from;
    // Most bodies are short: a JS loop; past 64 characters, the rest natively.
    const stop = Math.min(text.length, from + 64);
    for (; end < stop; end++) {
      const c = text.charCodeAt(end);
      if (c >= 128 || ((IN_ALPHABET[c] as number) & bit) === 0) break;
    }
    if (end === from + 64) end = readTo((RUN_READERS[a] as RunReaders).run, text, end);
    this.start[a] = from;
    this.end[a] = end;
    this.classesKnown[a] = 0;
    if (a === T_INDEX) {
      let p = end;
      while (p > from && text.charCodeAt(p - 1) === 46) p--;
      this.dotless = p;
    }
    return end;
  }

  /**
   * Where the last run of `a` has its last two digits, capitals, lower-case letters and letters: a
   * body with fewer than two of the classes looksRandom needs cannot look random, whatever its
   * window. Read backwards from the run's end once per run, stopping when all are found.
   */
  private findClasses(a: number): void {
    const text = this.text;
    const from = this.start[a] as number;
    let d1 = -1;
    let d2 = -1;
    let u1 = -1;
    let u2 = -1;
    let l1 = -1;
    let l2 = -1;
    const end = this.end[a] as number;
    const see = (p: number): void => {
      const f = CHAR[text.charCodeAt(p)] as number;
      if ((f & DIGIT) !== 0) {
        if (d1 < 0) d1 = p;
        else if (d2 < 0) d2 = p;
      } else if ((f & UPPER) !== 0) {
        if (u1 < 0) u1 = p;
        else if (u2 < 0) u2 = p;
      } else if ((f & LOWER) !== 0) {
        if (l1 < 0) l1 = p;
        else if (l2 < 0) l2 = p;
      }
    };
    // The last 64 characters first; further back only for a class that occurs there at all (a
    // native search says), so a long run without digits is not read backwards to its start.
    let p = end - 1;
    for (const stop = Math.max(from, end - 64); p >= stop && (d2 < 0 || u2 < 0 || l2 < 0); p--) see(p);
    if (p >= from && (d2 < 0 || u2 < 0 || l2 < 0)) {
      const readers = (RUN_READERS[a] as RunReaders).classes;
      const digits = d2 < 0 && readTo(readers[0] as RegExp, text, from) <= p;
      const capitals = u2 < 0 && readTo(readers[1] as RegExp, text, from) <= p;
      const lower = l2 < 0 && readTo(readers[2] as RegExp, text, from) <= p;
      for (; p >= from && ((digits && d2 < 0) || (capitals && u2 < 0) || (lower && l2 < 0)); p--) see(p);
    }
    const classes = 4 * a;
    this.lastClasses[classes] = d2;
    this.lastClasses[classes + 1] = u2;
    this.lastClasses[classes + 2] = l2;
    // The second-to-last letter: the larger of the second-to-last capital and lower-case letter,
    // unless the last of one and the last of the other are the two last letters.
    this.lastClasses[classes + 3] = Math.max(u2, l2, Math.min(u1, l1));
    this.classesKnown[a] = 1;
  }

  /**
   * Whether a body from `start` in the last run of `a` holds what looksRandom needs at the least:
   * two digits and two letters, or two capitals and two lower-case letters.
   */
  mayLookRandom(start: number, a: number): boolean {
    if (this.classesKnown[a] === 0) this.findClasses(a);
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

  /** The end of the last run of `a`. */
  lastEnd(a: number): number {
    return this.end[a] as number;
  }

  looksRandom(start: number, end: number, a: number): boolean {
    const window = (this.windows[a] ??= new SlidingRandomness(this.text));
    return window.judge(start, end);
  }
}

/**
 * Per trie node, where all its rules are known to fail: a body starting in `[failFrom, failTo]`
 * (positions of call `failCall`). Each failed for a reason that holds for any later start in the
 * same runs (too short, no word boundary, too few classes to look random), so `sk-sk-sk-…` asks
 * the rules once per run, not at every word start.
 */
const failCall = new Int32Array(TRIE.rules.length);
const failFrom = new Int32Array(TRIE.rules.length);
const failTo = new Int32Array(TRIE.rules.length);
/** Per trie node: where its wordy rules' bodies reached when they failed (the word-run skip they allow). */
const failWord = new Int32Array(TRIE.rules.length);
let call = 0;

/**
 * After a failed matchAt: whether every rule it tried failed for a lasting reason, and the last
 * word start at which they are all known to fail again (a later word start with the same walk).
 */
let lasting = true;
let lastingUntil = 0;
/** Past any text position (V8 strings are shorter), and a small integer (no boxed number in a module variable). */
const NO_LIMIT = 0x3fffffff;

/** The end of a token matching the rules of trie node `node` at `at`, or -1. */
function matchRules(text: string, at: number, node: number, runs: Runs): number {
  const rules = RULES[node] as CompiledRule[];
  const bodyStart = at + (rules[0] as CompiledRule).prefixLength;
  if (
    failCall[node] === call &&
    bodyStart >= (failFrom[node] as number) &&
    bodyStart <= (failTo[node] as number)
  ) {
    if ((failWord[node] as number) > wordEnd) wordEnd = failWord[node] as number;
    lastingUntil = Math.min(lastingUntil, (failTo[node] as number) - (bodyStart - at));
    return -1;
  }
  const word = wordEnd;
  wordEnd = -1;
  let fails = true;
  let until = NO_LIMIT;
  for (let k = 0; k < rules.length; k++) {
    const rule = rules[k] as CompiledRule;
    const alphabet = rule.alphabet;
    const end = runs.bodyEnd(bodyStart, alphabet);
    if (rule.wordy && end > wordEnd) wordEnd = end;
    until = Math.min(until, runs.lastEnd(alphabet));
    const length = end - bodyStart;
    if (length < rule.min) continue;
    if (length > rule.max) {
      fails = false;
      continue;
    }
    // The token must end at a word boundary: `AKIA…` followed by lower-case letters is something else.
    if (end < text.length && ((CHAR[text.charCodeAt(end)] as number) & ALNUM) !== 0) continue;
    if (rule.random && !(rule.mixed && allClasses(text, bodyStart, end))) {
      if (!runs.mayLookRandom(bodyStart, alphabet)) continue;
      if (!runs.looksRandom(bodyStart, end, alphabet)) {
        fails = false;
        continue;
      }
    }
    if (word > wordEnd) wordEnd = word;
    return end;
  }
  if (fails) {
    failCall[node] = call;
    failFrom[node] = bodyStart;
    failTo[node] = until;
    failWord[node] = wordEnd;
    lastingUntil = Math.min(lastingUntil, until - (bodyStart - at));
  } else {
    lasting = false;
  }
  if (word > wordEnd) wordEnd = word;
  return -1;
}

/** Whether `text[start, end)` holds an upper-case letter, a lower-case letter and a digit. */
function allClasses(text: string, start: number, end: number): boolean {
  let classes = 0;
  for (let k = start; k < end; k++) classes |= (CHAR[text.charCodeAt(k)] as number) & (UPPER | LOWER | DIGIT);
  return classes === (UPPER | LOWER | DIGIT);
}

/** After a failed matchAt: where the run of word characters from the word start is known to reach. */
let wordEnd = -1;

/** Trie nodes with rules met along the walk from a word start (reused between word starts). */
const found = new Int32Array(TRIE.depth + 1);

/** The end of the token at word start `at` (first character `c`), or -1. */
function matchAt(text: string, at: number, c: number, runs: Runs): number {
  lasting = true;
  lastingUntil = NO_LIMIT;
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
    const end = matchRules(text, at, found[--hits] as number, runs);
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

/**
 * `PAIR[c0 << 7 | c1]`: 1 where some prefix starts with `c0 c1` (every prefix has two characters or
 * more), 2 where one is exactly `c0 c1`, 3 for both.
 */
const PAIR: Uint8Array = (() => {
  const table = new Uint8Array(128 * 128);
  for (const rule of TOKEN_RULES) {
    const k = (rule.prefix.charCodeAt(0) << 7) | rule.prefix.charCodeAt(1);
    table[k] = (table[k] as number) | (rule.prefix.length === 2 ? 2 : 1);
  }
  return table;
})();

/** One bit per ASCII `c0 c1 c2` that starts a prefix of three characters or more (`pat` vs `password`). */
const TRIPLE: Uint8Array = (() => {
  const table = new Uint8Array((128 * 128 * 128) / 8);
  for (const rule of TOKEN_RULES) {
    if (rule.prefix.length < 3) continue;
    const k =
      (rule.prefix.charCodeAt(0) << 14) | (rule.prefix.charCodeAt(1) << 7) | rule.prefix.charCodeAt(2);
    table[k >> 3] = (table[k >> 3] as number) | (1 << (k & 7));
  }
  return table;
})();

/** Whether a prefix may start at `at` (first characters `c` and `next`, a PAIR hit `pair`). */
function mayStart(text: string, at: number, c: number, next: number, pair: number): boolean {
  // A two-character prefix matches whatever follows; a longer one needs its third character too.
  if ((pair & 2) !== 0) return true;
  const third = at + 2 < text.length ? text.charCodeAt(at + 2) : 128;
  if (third >= 128) return false;
  const k = (c << 14) | (next << 7) | third;
  return ((TRIPLE[k >> 3] as number) & (1 << (k & 7))) !== 0;
}

/** The last word start whose rules all failed for lasting reasons, with nothing skipped since (-1: none). */
let earlier = -1;

/**
 * The token at candidate word start `at` (first character `c`), pushed to `out`: returns the last
 * index the scan may skip to (the token's last character, the last word character the rules read,
 * or the end of text repeating failed word starts), or `at` when nothing was found. Kept out of the
 * scanning loop so that loop stays small.
 */
function candidate(text: string, at: number, c: number, runs: Runs, out: SpanSink): number {
  wordEnd = -1;
  const end = matchAt(text, at, c, runs);
  if (end > at) {
    out.add(at, end, "known-token");
    earlier = -1;
    return end - 1;
  }
  // No word starts inside a run of word characters: skip the part the rules already read.
  if (wordEnd > at + 1) {
    earlier = -1;
    return wordEnd - 1;
  }
  if (!lasting) {
    earlier = -1;
    return at;
  }
  if (earlier < 0 || periodWait > 0) {
    if (periodWait > 0) periodWait--;
    earlier = at;
    return at;
  }
  const resume = periodicEnd(text, earlier, at);
  if (resume > at) {
    periodBackoff = 0;
    earlier = -1;
    return resume;
  }
  // Text that does not repeat (lines of distinct values after one key): try again later, and
  // less often each time it fails (at most every 64 such word starts).
  periodBackoff = Math.min(64, 2 * periodBackoff + 1);
  periodWait = periodBackoff;
  earlier = at;
  return at;
}

/** Word starts to let pass before periodicEnd is tried again, and how many after its next failure. */
let periodWait = 0;
let periodBackoff = 0;

/** Every token of a known prefixed format. */
export const scanPrefixedTokens: Scanner = (text, out) => {
  let runs: Runs | undefined;
  // A new call: the fail memo of earlier calls (other texts) no longer applies.
  if (++call === 2 ** 31 - 1) {
    call = 1;
    failCall.fill(0);
  }
  earlier = -1;
  periodWait = 0;
  periodBackoff = 0;
  const start = START;
  const pair = PAIR;
  const length = text.length;
  let previous = 0;
  let i = 0;
  const last = length - 1;
  for (;;) {
    // The next word start of a possible prefix with a possible second character: a tight loop of
    // its own (most word starts fail on the second character; the last character cannot start one).
    let k = 0;
    let hit = 0;
    for (; i < last; i++) {
      k = start[text.charCodeAt(i)] as number;
      if (k - previous === CANDIDATE) {
        hit = pair[((text.charCodeAt(i) << 7) | text.charCodeAt(i + 1)) & 16383] as number;
        if (hit !== 0 && text.charCodeAt(i + 1) < 128) break;
      }
      previous = k;
    }
    if (i >= last) return;
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    previous = k;
    if (mayStart(text, i, c, next, hit)) {
      const resume = candidate(text, i, c, (runs ??= new Runs(text)), out);
      if (resume > i) {
        i = resume;
        // The last character skipped decides whether the next one starts a word.
        previous = start[text.charCodeAt(i)] as number;
      }
    }
    i++;
  }
};
export const detectPrefixedTokens = detector(scanPrefixedTokens);

/** The period and the end of the periodic text periodicEnd found last (in the current call). */
let periodLength = 0;
let periodFrom = 0;
let periodTo = 0;
let periodCall = 0;

/**
 * Where the scan may resume after word start `at`, whose rules failed for lasting reasons as those
 * of the word start `earlier` did, with no other word start between: while the text repeats
 * itself with period `at - earlier`, every later word start walks the trie as one of these did and
 * meets rules known to fail (until lastingUntil), so `sk-sk-sk-…` costs one comparison per
 * character. Returns `at` when nothing can be skipped.
 */
function periodicEnd(text: string, earlier: number, at: number): number {
  const period = at - earlier;
  // A walk reads at most TRIE.depth + 1 characters: they must all lie in the periodic part.
  const want = Math.min(text.length, lastingUntil + TRIE.depth + 1);
  let end: number;
  if (periodCall === call && periodLength === period && periodFrom <= at && at <= periodTo) {
    end = periodTo;
  } else {
    end = at;
    periodCall = call;
    periodLength = period;
    periodFrom = at;
  }
  // Compared natively by growing chunks, then character by character within the chunk that differs.
  for (let chunk = 64; end < want; chunk = Math.min(2 * chunk, 1 << 20)) {
    const limit = Math.min(want, end + chunk);
    if (text.startsWith(text.substring(end - period, limit - period), end)) {
      end = limit;
      continue;
    }
    while (end < limit && text.charCodeAt(end) === text.charCodeAt(end - period)) end++;
    break;
  }
  periodTo = end;
  const last = Math.min(lastingUntil, end - TRIE.depth - 1);
  return last > at ? last : at;
}
