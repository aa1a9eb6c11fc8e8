/**
 * Whether a run of characters looks machine-generated (a key, a token) rather than written by a
 * person (a word, a name, a camelCase identifier). Bounded: at most RANDOM_WINDOW characters looked at.
 * Counting uses typed arrays reset by the characters touched (no Map, no allocation per call).
 */
import * as chars from "./char-table.js";

// Module-local copies: under the bench's loader (tsx, CommonJS interop) every use of an imported
// binding is a getter call.
const CHAR = chars.CHAR;
const DIGIT = chars.DIGIT;
const UPPER = chars.UPPER;
const LOWER = chars.LOWER;
const HEX = chars.HEX;

/** Characters examined; a longer run is judged by its first RANDOM_WINDOW characters. */
export const RANDOM_WINDOW = 256;

/** log2(n) for window lengths. */
const LOG2 = Float64Array.from({ length: RANDOM_WINDOW + 1 }, (_, n) => Math.log2(n));

/** c·log2(c) for the counts a window can hold (entropy without a logarithm per character). */
const C_LOG_C = Float64Array.from({ length: RANDOM_WINDOW + 1 }, (_, c) => (c === 0 ? 0 : c * Math.log2(c)));

/**
 * The characters of a window, counted for a looksRandom verdict: classes, hex digits and each code
 * unit's count (typed arrays reset through the list of code units touched, no allocation per window).
 */
export class Tally {
  readonly counts: Int32Array;
  /** The distinct code units counted, in first-seen order (the order a Map would give). */
  touched = new Uint16Array(RANDOM_WINDOW);
  distinct = 0;
  n = 0;
  upper = 0;
  lower = 0;
  digit = 0;
  hex = 0;

  /** @param units code units this tally may count (128: ASCII only) */
  constructor(units = 65536) {
    this.counts = new Int32Array(units);
  }

  add(c: number): void {
    const f = CHAR[c] as number;
    if ((f & DIGIT) !== 0) this.digit++;
    else if ((f & UPPER) !== 0) this.upper++;
    else if ((f & LOWER) !== 0) this.lower++;
    if ((f & HEX) !== 0) this.hex++;
    const k = this.counts[c] as number;
    if (k === 0) {
      if (this.distinct === this.touched.length) this.grow();
      this.touched[this.distinct++] = c;
    }
    this.counts[c] = k + 1;
    this.n++;
  }

  /** Empties the tally. */
  clear(): void {
    for (let k = 0; k < this.distinct; k++) this.counts[this.touched[k] as number] = 0;
    this.distinct = this.n = this.upper = this.lower = this.digit = this.hex = 0;
  }

  /** Σ -p·log2(p), summed as a Map of counts would be. */
  entropy(): number {
    let bits = 0;
    for (let k = 0; k < this.distinct; k++) {
      const p = (this.counts[this.touched[k] as number] as number) / this.n;
      bits -= p * Math.log2(p);
    }
    return bits;
  }

  /** looksRandom's verdict on the counted window (at most RANDOM_WINDOW characters); empties the tally. */
  verdict(): boolean {
    const n = this.n;
    let random = false;
    if (mixedClasses(this.upper, this.lower, this.digit, n)) {
      const needed = entropyNeeded(this.hex, n);
      // log2(n) - Σ c·log2(c)/n from tables; at a hair's breadth from the bar, the exact sums.
      let sum = 0;
      for (let k = 0; k < this.distinct; k++)
        sum += C_LOG_C[this.counts[this.touched[k] as number] as number] as number;
      const bits = (LOG2[n] as number) - sum / n;
      random = Math.abs(bits - needed) > 1e-9 ? bits >= needed : this.entropy() >= needed;
    }
    this.clear();
    return random;
  }

  private grow(): void {
    const touched = new Uint16Array(this.touched.length * 2);
    touched.set(this.touched);
    this.touched = touched;
  }
}

const shared = new Tally();

/** Shannon entropy in bits per character of `text[start, end)`. */
export function entropy(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) shared.add(text.charCodeAt(i));
  const bits = shared.entropy();
  shared.clear();
  return bits;
}

export interface CharClasses {
  upper: number;
  lower: number;
  digit: number;
  other: number;
}

export function charClasses(text: string, start: number, end: number): CharClasses {
  const k: CharClasses = { upper: 0, lower: 0, digit: 0, other: 0 };
  for (let i = start; i < end; i++) {
    const f = CHAR[text.charCodeAt(i)] as number;
    if ((f & DIGIT) !== 0) k.digit++;
    else if ((f & UPPER) !== 0) k.upper++;
    else if ((f & LOWER) !== 0) k.lower++;
    else k.other++;
  }
  return k;
}

/** The class proportions looksRandom asks for, before the entropy bar. */
function mixedClasses(upper: number, lower: number, digit: number, n: number): boolean {
  const letters = upper + lower;
  // Digits spread through the token (≥ 10%): `countersign-git-7ha5Bu` (a temp dir) has two, a key has many.
  const digitsMixed = digit >= Math.max(2, n * 0.1) && letters >= 2 && digit <= n * 0.9;
  const casesMixed = upper >= 2 && lower >= 2 && upper >= letters * 0.3 && lower >= letters * 0.2;
  // All three classes at once (upper, lower, digit) is how generated keys look, whatever the proportions.
  const allClasses = digit >= 1 && upper >= 2 && lower >= 2 && upper >= letters * 0.2 && n >= 16;
  return digitsMixed || casesMixed || allClasses;
}

/**
 * The entropy a random token of `n` characters reaches: random alphanumerics carry ~4 bits/char once
 * long, short ones cannot reach that; hex carries at most 4 bits/char, so (mostly) hex gets a lower bar.
 */
function entropyNeeded(hex: number, n: number): number {
  return Math.min(
    hex >= n * 0.85 ? 2.8 : 3.5,
    (n <= RANDOM_WINDOW ? (LOG2[n] as number) : Math.log2(n)) - 0.8,
  );
}

/**
 * A token body that looks random: letters mixed with digits, or both cases with many capitals
 * (a camelCase identifier has few), and enough entropy for its length.
 */
export function looksRandom(text: string, start: number, end: number, minLength = 8): boolean {
  const length = end - start;
  if (length < minLength || length <= 0) return false;
  const stop = Math.min(end, start + RANDOM_WINDOW);
  // One pass: classes, hex and Σ c·log2(c) (counts kept as `base + count`, so no pass clears them).
  if (countBase >= 1 << 29) {
    stepCounts.fill(0);
    countBase = 0;
  }
  const base = (countBase += 512);
  const counts = stepCounts;
  let upper = 0;
  let lower = 0;
  let digit = 0;
  let hex = 0;
  let sum = 0;
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i);
    const f = CHAR[c] as number;
    if ((f & DIGIT) !== 0) digit++;
    else if ((f & UPPER) !== 0) upper++;
    else if ((f & LOWER) !== 0) lower++;
    if ((f & HEX) !== 0) hex++;
    let k = counts[c] as number;
    if (k < base) k = base;
    sum += C_LOG_C_STEP[k - base] as number;
    counts[c] = k + 1;
  }
  return summedLooksRandom(text, start, stop, upper, lower, digit, hex, sum);
}

/** looksRandom's per-code-unit counts, as `countBase + count` (a value below countBase is zero). */
const stepCounts = new Int32Array(65536);
let countBase = 0;

/** Per-code-unit counts for windowLooksRandom, zero between calls. */
const windowCounts = new Int32Array(65536);

/**
 * looksRandom's verdict on the window `text[start, stop)` (at most RANDOM_WINDOW characters) whose
 * classes the caller counted: the characters are only counted one by one when the classes mix.
 */
export function windowLooksRandom(
  text: string,
  start: number,
  stop: number,
  upper: number,
  lower: number,
  digit: number,
  hex: number,
): boolean {
  const n = stop - start;
  if (n <= 0 || !mixedClasses(upper, lower, digit, n)) return false;
  const needed = entropyNeeded(hex, n);
  const counts = windowCounts;
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i);
    counts[c] = (counts[c] as number) + 1;
  }
  // log2(n) - Σ c·log2(c)/n from tables, each count read (and reset) at its first occurrence.
  let sum = 0;
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i);
    const k = counts[c] as number;
    if (k > 0) {
      sum += C_LOG_C[k] as number;
      counts[c] = 0;
    }
  }
  const bits = (LOG2[n] as number) - sum / n;
  if (Math.abs(bits - needed) > 1e-9) return bits >= needed;
  // At a hair's breadth from the bar: the exact sums, in first-seen order (as a Map of counts gives).
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i);
    counts[c] = (counts[c] as number) + 1;
  }
  let exact = 0;
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i);
    const k = counts[c] as number;
    if (k > 0) {
      const p = k / n;
      exact -= p * Math.log2(p);
      counts[c] = 0;
    }
  }
  return exact >= needed;
}

/** `C_LOG_C[k + 1] - C_LOG_C[k]`: what one more occurrence of a character adds to Σ c·log2(c). */
export const C_LOG_C_STEP = Float64Array.from(
  { length: RANDOM_WINDOW },
  (_, k) => (C_LOG_C[k + 1] as number) - (C_LOG_C[k] as number),
);

/**
 * windowLooksRandom's verdict when the caller also summed the window's Σ c·log2(c) as it read it
 * (`sum`, one C_LOG_C_STEP per character): in another order than windowLooksRandom sums, so within
 * 1e-7 of the bar (rounding differs by far less) windowLooksRandom decides.
 */
export function summedLooksRandom(
  text: string,
  start: number,
  stop: number,
  upper: number,
  lower: number,
  digit: number,
  hex: number,
  sum: number,
): boolean {
  const n = stop - start;
  if (n <= 0 || !mixedClasses(upper, lower, digit, n)) return false;
  const bits = (LOG2[n] as number) - sum / n;
  const needed = entropyNeeded(hex, n);
  if (Math.abs(bits - needed) > 1e-7) return bits >= needed;
  return windowLooksRandom(text, start, stop, upper, lower, digit, hex);
}

/**
 * Per ASCII code, its bit among 64 split over two words (`SYMBOL_LO`, `SYMBOL_HI`): the base64
 * alphabet's 64 characters each have their own; any other character shares one with them. OR-ing
 * over a window counts at most as many distinct characters as it holds: a bound that errs only
 * towards fewer distinct characters.
 */
export const SYMBOL_LO = new Int32Array(128);
export const SYMBOL_HI = new Int32Array(128);
{
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let c = 0; c < 128; c++) {
    const k = alphabet.indexOf(String.fromCharCode(c));
    const bit = k >= 0 ? k : c & 63;
    if (bit < 32) SYMBOL_LO[c] = 1 << bit;
    else SYMBOL_HI[c] = 1 << (bit - 32);
  }
}

function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * windowLooksRandom's verdict on an ASCII window whose classes and symbol bits the caller gathered
 * as it read them: with `distinct` characters at least, Σ c·log2(c) is at most that of one
 * character holding every repeat, and when even that clears the entropy bar (by far more than
 * rounding) the window looks random without counting each character. Otherwise (repeats, or a
 * verdict near the bar) windowLooksRandom counts them.
 */
export function boundedLooksRandom(
  text: string,
  start: number,
  stop: number,
  upper: number,
  lower: number,
  digit: number,
  hex: number,
  lo: number,
  hi: number,
  /** The symbol bits of characters seen twice or more. */
  lo2: number,
  hi2: number,
): boolean {
  const n = stop - start;
  if (n <= 0 || n > RANDOM_WINDOW || !mixedClasses(upper, lower, digit, n)) return false;
  const distinct = bitCount(lo) + bitCount(hi);
  const repeated = bitCount(lo2) + bitCount(hi2);
  // The largest Σ c·log2(c) these allow: every repeated character twice but one, which holds the rest.
  const most = repeated === 0 ? 0 : 2 * (repeated - 1) + (C_LOG_C[n - distinct - repeated + 2] as number);
  const bar = n * ((LOG2[n] as number) - entropyNeeded(hex, n));
  if (most < bar - 1e-6) return true;
  return windowLooksRandom(text, start, stop, upper, lower, digit, hex);
}

/** looksRandom of `text[start, end)`, a run of ASCII token characters (symbol bits, not counts). */
export function runLooksRandom(text: string, start: number, end: number, minLength: number): boolean {
  const length = end - start;
  if (length < minLength || length <= 0) return false;
  const stop = Math.min(end, start + RANDOM_WINDOW);
  let classes = 0;
  let hex = 0;
  let lo = 0;
  let hi = 0;
  let lo2 = 0;
  let hi2 = 0;
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i) & 127;
    classes += CLASS_COUNT[c] as number;
    hex += HEX_COUNT[c] as number;
    const l = SYMBOL_LO[c] as number;
    const h = SYMBOL_HI[c] as number;
    lo2 |= lo & l;
    hi2 |= hi & h;
    lo |= l;
    hi |= h;
  }
  const digit = classes & 511;
  return boundedLooksRandom(
    text,
    start,
    stop,
    (classes >> 9) & 511,
    (classes >> 18) & 511,
    digit,
    hex,
    lo,
    hi,
    lo2,
    hi2,
  );
}

/** Per ASCII code: 1 for a digit, 1 << 9 for a capital, 1 << 18 for a lower-case letter (counts, packed). */
const CLASS_COUNT: Int32Array = (() => {
  const table = new Int32Array(128);
  for (let c = 48; c <= 57; c++) table[c] = 1;
  for (let c = 65; c <= 90; c++) table[c] = 1 << 9;
  for (let c = 97; c <= 122; c++) table[c] = 1 << 18;
  return table;
})();
const HEX_COUNT: Uint8Array = Uint8Array.from({ length: 128 }, (_, c) =>
  ((CHAR[c] as number) & HEX) !== 0 ? 1 : 0,
);

/**
 * looksRandom of base64 `text[start, end)` with its punctuation (`+ / =`) left out: the judgement of
 * the alphanumerics alone. `length` is how many there are.
 */
export function looksRandomBase64(
  text: string,
  start: number,
  end: number,
  length: number,
  minLength: number,
): boolean {
  if (length < minLength || length <= 0) return false;
  for (let i = start; i < end && shared.n < RANDOM_WINDOW; i++) {
    const c = text.charCodeAt(i);
    if (c !== 43 && c !== 47 && c !== 61) shared.add(c);
  }
  return shared.verdict();
}

/**
 * looksRandom over windows that slide forward through a text: `judge(s, e)` answers
 * `looksRandom(text, s, e)` in time proportional to how far the window moved (capped at one window),
 * so asking at every word start of a long run stays linear. For ASCII runs only (the body
 * alphabets of the prefix rules); anything else is judged by looksRandom itself.
 */
export class SlidingRandomness {
  private readonly counts = new Int32Array(128);
  private from = 0;
  private to = 0;
  private upper = 0;
  private lower = 0;
  private digit = 0;
  private hex = 0;
  /** Σ c·log2(c) over the window's counts: entropy = log2(n) - sum/n. */
  private sum = 0;
  /** Updates of `sum` since it was last recomputed (rounding drifts with each). */
  private updates = 0;

  constructor(private readonly text: string) {}

  judge(start: number, end: number, minLength = 8): boolean {
    const length = end - start;
    if (length < minLength || length <= 0) return false;
    const stop = Math.min(end, start + RANDOM_WINDOW);
    this.moveTo(start, stop);
    const n = stop - start;
    if (!mixedClasses(this.upper, this.lower, this.digit, n)) return false;
    if (this.updates > 1024) {
      this.sum = 0;
      for (let c = 0; c < 128; c++) this.sum += C_LOG_C[this.counts[c] as number] as number;
      this.updates = 0;
    }
    const bits = Math.log2(n) - this.sum / n;
    const needed = entropyNeeded(this.hex, n);
    // Summed in another order than looksRandom: at a hair's breadth from the bar, ask it directly.
    if (Math.abs(bits - needed) < 1e-7) return looksRandom(this.text, start, end, minLength);
    return bits >= needed;
  }

  private moveTo(start: number, stop: number): void {
    if (start >= this.to || stop <= this.from || start < this.from - RANDOM_WINDOW) {
      while (this.from < this.to) this.remove(this.from++);
      this.from = this.to = start;
    }
    while (this.from > start) this.add(--this.from);
    while (this.from < start) this.remove(this.from++);
    while (this.to < stop) this.add(this.to++);
    while (this.to > stop) this.remove(--this.to);
  }

  private add(i: number): void {
    const c = this.text.charCodeAt(i) & 127;
    const f = CHAR[c] as number;
    if ((f & DIGIT) !== 0) this.digit++;
    else if ((f & UPPER) !== 0) this.upper++;
    else if ((f & LOWER) !== 0) this.lower++;
    if ((f & HEX) !== 0) this.hex++;
    const k = this.counts[c] as number;
    this.sum += (C_LOG_C[k + 1] as number) - (C_LOG_C[k] as number);
    this.updates++;
    this.counts[c] = k + 1;
  }

  private remove(i: number): void {
    const c = this.text.charCodeAt(i) & 127;
    const f = CHAR[c] as number;
    if ((f & DIGIT) !== 0) this.digit--;
    else if ((f & UPPER) !== 0) this.upper--;
    else if ((f & LOWER) !== 0) this.lower--;
    if ((f & HEX) !== 0) this.hex--;
    const k = this.counts[c] as number;
    this.sum += (C_LOG_C[k - 1] as number) - (C_LOG_C[k] as number);
    this.updates++;
    this.counts[c] = k - 1;
  }
}

/** Only hex digits (either case). */
export function isHex(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (((CHAR[text.charCodeAt(i)] as number) & HEX) === 0) return false;
  return end > start;
}
