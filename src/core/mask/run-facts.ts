import * as randomness from "./randomness.js";

const RANDOM_WINDOW = randomness.RANDOM_WINDOW;
const SYMBOL_LO = randomness.SYMBOL_LO;
const SYMBOL_HI = randomness.SYMBOL_HI;

/**
 * What the random-token fallback (./entropy-patterns.ts) needs to know about a run of token
 * characters, read in one pass: which character classes all or some of its characters have, how
 * many are hex or base64 punctuation, its trailing padding, and its segments (split at `.` and `/`)
 * long enough to judge, each with its own class flags. Runs hold ASCII only (token characters and `=`).
 */
export const F_HEX = 1;
export const F_DIGIT = 2;
export const F_UPPER = 4;
export const F_LOWER = 8;
/** `a-f`, `A-F`. */
export const F_HEX_LETTER = 16;
/** A character of standard base64: alphanumerics, `+ / =`. */
export const F_BASE64 = 32;
/** A character of base64url: alphanumerics, `_ - =`. */
export const F_BASE64URL = 64;
/** `a-z 0-9 -`: what generated Kubernetes names are made of. */
export const F_LOWER_DIGIT_DASH = 128;
export const F_DASH = 256;
export const F_DOT = 512;
/** `.` and `/`: where a run splits into segments. */
export const F_SEPARATOR = 1024;
/** `+ / =`: left out when judging base64 as a whole. */
export const F_BASE64_PUNCTUATION = 2048;
/** A token character (alphanumerics and `+ / _ - . ~`): what a run is made of, before its padding. */
export const F_RUN = 4096;

const ALL = 0xffff;

const FACT: Uint16Array = (() => {
  const table = new Uint16Array(65536);
  const set = (chars: string, flag: number): void => {
    for (const ch of chars) table[ch.charCodeAt(0)] = (table[ch.charCodeAt(0)] as number) | flag;
  };
  const digits = "0123456789";
  const lower = "abcdefghijklmnopqrstuvwxyz";
  const upper = lower.toUpperCase();
  set(digits, F_DIGIT | F_HEX | F_BASE64 | F_BASE64URL | F_LOWER_DIGIT_DASH);
  set(lower, F_LOWER | F_BASE64 | F_BASE64URL | F_LOWER_DIGIT_DASH);
  set(upper, F_UPPER | F_BASE64 | F_BASE64URL);
  set("abcdefABCDEF", F_HEX | F_HEX_LETTER);
  set("+", F_BASE64 | F_BASE64_PUNCTUATION);
  set("/", F_BASE64 | F_BASE64_PUNCTUATION | F_SEPARATOR);
  set("=", F_BASE64 | F_BASE64URL | F_BASE64_PUNCTUATION);
  set("_", F_BASE64URL);
  set("-", F_BASE64URL | F_LOWER_DIGIT_DASH | F_DASH);
  set(".", F_DOT | F_SEPARATOR);
  set(digits + lower + upper + "+/_-.~", F_RUN);
  return table;
})();

/** Per character: 1 for a digit, 1 << 9 for a capital, 1 << 18 for a lower-case letter (a window's counts, packed). */
const CLASS_COUNT: Int32Array = (() => {
  const table = new Int32Array(128);
  for (let c = 48; c <= 57; c++) table[c] = 1;
  for (let c = 65; c <= 90; c++) table[c] = 1 << 9;
  for (let c = 97; c <= 122; c++) table[c] = 1 << 18;
  return table;
})();

function isRunChar(c: number): boolean {
  return ((FACT[c] as number) & F_RUN) !== 0;
}

/** Class flags of a span: those all its characters have (`and`) and those any has (`or`). */
export interface Classes {
  and: number;
  or: number;
}

export interface Segment extends Classes {
  start: number;
  end: number;
}

/**
 * Per code unit: its FACT flags, and above them (shifted by 16) the flags it lacks, so OR-ing these
 * over a segment gives at once the flags any character has and those all have (what none lacks).
 */
const BOTH: Int32Array = Int32Array.from(FACT, (f) => f | ((~f & ALL) << 16));
/** In BOTH: a separator, or a character that is not a run character (what ends a segment's loop). */
const STOP = F_SEPARATOR | (F_RUN << 16);

export class RunFacts implements Classes {
  /** Whether segment 0's looksRandom window `[start, windowStop)` had its classes counted while reading. */
  windowed = false;
  windowStop = 0;
  /** The window's digits, capitals and lower-case letters (9 bits each, in that order from bit 0), and hex. */
  windowClasses = 0;
  windowHex = 0;
  /** Whether the window's symbol bits were gathered while reading (`readRun`, not `read`). */
  windowBits = false;
  /** The window's symbol bits (randomness.SYMBOL_LO / SYMBOL_HI OR-ed). */
  /**
   * The window's symbol bits (randomness.SYMBOL_LO / SYMBOL_HI OR-ed), then those of characters it
   * holds twice or more: in a typed array, as 32-bit masks would not fit V8's small integers and
   * would turn the fields into boxed numbers (and the code reading them deoptimised).
   */
  readonly windowBitsOf = new Int32Array(4);

  and = ALL;
  or = 0;
  /** Trailing `=`. */
  padding = 0;
  /** Standard base64 (`[A-Za-z0-9+/]+={0,2}`). */
  base64 = false;
  /** base64url (`[A-Za-z0-9_-]+={0,2}`). */
  base64url = false;
  /** Where the run read last ends (`readRun`: before trailing dots). */
  end = 0;
  /** Segments of `minSegment` characters or more (shorter ones are never judged). */
  segments = 0;
  private start = 0;
  private bounds = new Int32Array(64);
  private classes = new Int32Array(64);
  private readonly current: Segment = { start: 0, end: 0, and: ALL, or: 0 };
  /** @param minSegment shortest segment kept */
  constructor(private readonly minSegment: number) {}

  /** Segment `k` (the object is reused by the next call). */
  segment(k: number): Segment {
    const s = this.current;
    s.start = this.bounds[2 * k] as number;
    s.end = this.bounds[2 * k + 1] as number;
    s.and = this.classes[2 * k] as number;
    s.or = this.classes[2 * k + 1] as number;
    return s;
  }

  /**
   * Whether fewer than `limit` characters of the run read last are hex digits: counted only when
   * asked (most runs never are), stopping as soon as the answer is known.
   */
  fewHex(text: string, limit: number): boolean {
    const end = this.end;
    if ((this.and & F_HEX) !== 0) return end - this.start < limit;
    if ((this.or & F_HEX) === 0) return 0 < limit;
    // A run read within its window had its hex digits counted there.
    if (this.windowStop === end && this.windowBits) return this.windowHex < limit;
    let hex = 0;
    let other = 0;
    for (let p = this.start; p < end; p++) {
      if (((FACT[text.charCodeAt(p)] as number) & F_HEX) !== 0) {
        if (++hex >= limit) return false;
      } else if (end - this.start - ++other < limit) {
        return true;
      }
    }
    return hex < limit;
  }

  /** How many `+ / =` the run read last holds (counted when asked). */
  base64Punctuation(text: string): number {
    if ((this.or & F_BASE64_PUNCTUATION) === 0) return 0;
    let punctuation = 0;
    for (let p = this.start; p < this.end; p++) {
      punctuation += ((FACT[text.charCodeAt(p)] as number) >> 11) & 1;
    }
    return punctuation;
  }

  /** Reads `text[start, end)` (a run: ASCII token characters, then any `=` padding). */
  read(text: string, start: number, end: number): this {
    this.collect(text, start, end);
    this.end = end;
    this.windowBits = false;
    return this;
  }

  /**
   * Reads the run that starts at `start`: its token characters, then `=` padding (only after four
   * characters, and only where no token character follows), less trailing dots (punctuation after
   * the token). Returns where the scan stopped (after the padding); the run is `[start, this.end)`.
   * One pass: segment 0's window is counted for looksRandom as it is read (classes, hex, the
   * entropy sum), each segment's class flags are kept, and the run's are folded from them at each
   * separator (rare), so a character costs a few table reads.
   */
  readRun(text: string, start: number): number {
    const length = text.length;
    this.start = start;
    this.segments = 0;
    let classes = 0;
    let windowHex = 0;
    let lo = 0;
    let hi = 0;
    let lo2 = 0;
    let hi2 = 0;
    // A segment's flags as one word (BOTH): the flags some character has, and above them those some lacks.
    let segment = 0;
    let p = start;
    const windowEnd = Math.min(length, start + RANDOM_WINDOW);
    for (; p < windowEnd; p++) {
      const c = text.charCodeAt(p);
      const g = BOTH[c] as number;
      if ((g & STOP) !== 0) break;
      segment |= g;
      classes += CLASS_COUNT[c] as number;
      windowHex += g & F_HEX;
      const l = SYMBOL_LO[c] as number;
      const h = SYMBOL_HI[c] as number;
      lo2 |= lo & l;
      hi2 |= hi & h;
      lo |= l;
      hi |= h;
    }
    let windowStop = p;
    let segmentStart = start;
    let and = ALL;
    let or = 0;
    // The run's flags before its last sequence of dots (trailing dots are not part of the token).
    let dotAnd = ALL;
    let dotOr = 0;
    for (;;) {
      // A segment's characters: one table read and one OR each.
      for (; p < length; p++) {
        const g = BOTH[text.charCodeAt(p)] as number;
        if ((g & STOP) !== 0) break;
        segment |= g;
      }
      if (p >= length) break;
      const c = text.charCodeAt(p);
      const f = FACT[c] as number;
      if ((f & F_RUN) === 0) break;
      // A separator: the segment ends.
      const segmentAnd = ~(segment >>> 16) & ALL;
      const segmentOr = segment & ALL;
      if (p - segmentStart >= this.minSegment) this.push(segmentStart, p, segmentAnd, segmentOr);
      and &= segmentAnd;
      or |= segmentOr;
      if (c === 46 && (p === start || text.charCodeAt(p - 1) !== 46)) {
        dotAnd = and;
        dotOr = or;
      }
      and &= f;
      or |= f;
      segmentStart = ++p;
      segment = 0;
    }
    let segmentAnd = ~(segment >>> 16) & ALL;
    let segmentOr = segment & ALL;
    const stopped = p;
    // `=` only as trailing base64 padding (so `NAME=value` splits).
    while (
      p < length &&
      p - start >= 4 &&
      text.charCodeAt(p) === 61 &&
      (p + 1 === length || !isRunChar(text.charCodeAt(p + 1)))
    )
      p++;
    let end = p;
    if (p > stopped) {
      // The padding belongs to the last segment, and to the window when that reached it.
      const f = FACT[61] as number;
      segmentAnd &= f;
      segmentOr |= f;
      if (windowStop === stopped) {
        const stop = Math.min(p, start + RANDOM_WINDOW);
        for (let q = windowStop; q < stop; q++) {
          lo2 |= lo & (SYMBOL_LO[61] as number);
          hi2 |= hi & (SYMBOL_HI[61] as number);
          lo |= SYMBOL_LO[61] as number;
          hi |= SYMBOL_HI[61] as number;
        }
        windowStop = stop;
      }
    }
    if (p - segmentStart >= this.minSegment) this.push(segmentStart, p, segmentAnd, segmentOr);
    and &= segmentAnd;
    or |= segmentOr;
    if (p === stopped && text.charCodeAt(p - 1) === 46) {
      // Trailing dots: the run's flags as they were before them (its segments end at the first dot).
      while (end > start && text.charCodeAt(end - 1) === 46) end--;
      and = end > start ? dotAnd : ALL;
      or = end > start ? dotOr : 0;
      if (end === start) this.segments = 0;
    }
    this.windowStop = Math.min(windowStop, Math.max(end, start));
    this.windowClasses = classes;
    this.windowHex = windowHex;
    this.windowBits = true;
    const bits = this.windowBitsOf;
    bits[0] = lo;
    bits[1] = hi;
    bits[2] = lo2;
    bits[3] = hi2;
    // Segment 0 is the first segment when that one was long enough to keep.
    this.windowed = this.segments > 0 && this.bounds[0] === start;
    this.and = and;
    this.or = or;
    const padding = p - stopped;
    this.padding = padding;
    const body = end - start - padding > 0 && padding <= 2;
    this.base64 = body && (and & F_BASE64) !== 0;
    this.base64url = body && (and & F_BASE64URL) !== 0;
    this.end = end;
    return p;
  }

  /** The facts of `text[start, end)` (bounded: `=` is read as part of the run). */
  private collect(text: string, start: number, end: number): void {
    let and = ALL;
    let or = 0;
    let segmentStart = start;
    let segmentAnd = ALL;
    let segmentOr = 0;
    this.start = start;
    this.segments = 0;
    // The first segment's window: its classes counted as looksRandom would (saves a pass over most runs).
    let classes = 0;
    let windowHex = 0;
    let p = start;
    // The first segment's first RANDOM_WINDOW characters: counted for looksRandom as well.
    const windowEnd = Math.min(end, start + RANDOM_WINDOW);
    for (; p < windowEnd; p++) {
      const c = text.charCodeAt(p);
      const f = FACT[c] as number;
      if (((f | F_RUN) & F_RUN) === 0 || (f & F_SEPARATOR) !== 0) break;
      and &= f;
      or |= f;
      segmentAnd &= f;
      segmentOr |= f;
      classes += CLASS_COUNT[c] as number;
      windowHex += f & F_HEX;
    }
    const windowStop = p;
    for (; p < end; p++) {
      const f = FACT[text.charCodeAt(p)] as number;
      and &= f;
      or |= f;
      if ((f & F_SEPARATOR) !== 0) {
        if (p - segmentStart >= this.minSegment) this.push(segmentStart, p, segmentAnd, segmentOr);
        segmentStart = p + 1;
        segmentAnd = ALL;
        segmentOr = 0;
      } else {
        segmentAnd &= f;
        segmentOr |= f;
      }
    }
    if (p - segmentStart >= this.minSegment) this.push(segmentStart, p, segmentAnd, segmentOr);
    this.windowStop = windowStop;
    this.windowClasses = classes;
    this.windowHex = windowHex;
    // Segment 0 is the first segment when that one was long enough to keep.
    this.windowed = this.segments > 0 && this.bounds[0] === start;
    let padding = 0;
    while (p - padding > start && text.charCodeAt(p - padding - 1) === 61) padding++;
    this.and = and;
    this.or = or;
    this.padding = padding;
    const body = p - start - padding > 0 && padding <= 2;
    this.base64 = body && (and & F_BASE64) !== 0;
    this.base64url = body && (and & F_BASE64URL) !== 0;
  }

  private push(start: number, end: number, and: number, or: number): void {
    const k = this.segments++;
    if (2 * k + 2 > this.bounds.length) {
      const bounds = new Int32Array(this.bounds.length * 2);
      bounds.set(this.bounds);
      this.bounds = bounds;
      const classes = new Int32Array(this.classes.length * 2);
      classes.set(this.classes);
      this.classes = classes;
    }
    this.bounds[2 * k] = start;
    this.bounds[2 * k + 1] = end;
    this.classes[2 * k] = and;
    this.classes[2 * k + 1] = or;
  }
}
