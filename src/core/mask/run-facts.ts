import * as randomness from "./randomness.js";

const RANDOM_WINDOW = randomness.RANDOM_WINDOW;

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

export class RunFacts implements Classes {
  /** Whether segment 0's looksRandom window `[start, windowStop)` had its classes counted while reading. */
  windowed = false;
  windowStop = 0;
  /** The window's digits, capitals and lower-case letters (9 bits each, in that order from bit 0), and hex. */
  windowClasses = 0;
  windowHex = 0;
  and = ALL;
  or = 0;
  /** Hex characters. */
  hex = 0;
  /** `+ / =` characters. */
  base64Punctuation = 0;
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

  /** Reads `text[start, end)` (a run: ASCII token characters, then any `=` padding). */
  read(text: string, start: number, end: number): this {
    this.collect(text, start, end, false);
    this.end = end;
    return this;
  }

  /**
   * Reads the run that starts at `start`: its token characters, then `=` padding (only after four
   * characters, and only where no token character follows), less trailing dots (punctuation after
   * the token). Returns where the scan stopped (after the padding); the run is `[start, this.end)`.
   */
  readRun(text: string, start: number): number {
    let p = this.collect(text, start, text.length, true);
    // `=` only as trailing base64 padding (so `NAME=value` splits).
    const padded = p;
    while (
      p < text.length &&
      p - start >= 4 &&
      text.charCodeAt(p) === 61 &&
      !isRunChar(text.charCodeAt(p + 1))
    )
      p++;
    if (p > padded) {
      this.collect(text, start, p, false);
    } else if (text.charCodeAt(p - 1) === 46) {
      let end = p;
      while (end > start && text.charCodeAt(end - 1) === 46) end--;
      this.collect(text, start, end, false);
      this.end = end;
      return p;
    }
    this.end = p;
    return p;
  }

  /** The facts of `text[start, …)` up to `end`, or (`untilRunEnd`) up to the first non-token character. */
  private collect(text: string, start: number, end: number, untilRunEnd: boolean): number {
    // Bounded reads hold `=` too: only the open-ended read stops at a non-token character.
    const keep = untilRunEnd ? 0 : F_RUN;
    let and = ALL;
    let or = 0;
    let hex = 0;
    let punctuation = 0;
    let segmentStart = start;
    let segmentAnd = ALL;
    let segmentOr = 0;
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
      if (((f | keep) & F_RUN) === 0 || (f & F_SEPARATOR) !== 0) break;
      and &= f;
      or |= f;
      hex += f & F_HEX;
      punctuation += (f >> 11) & 1;
      segmentAnd &= f;
      segmentOr |= f;
      classes += CLASS_COUNT[c] as number;
      windowHex += f & F_HEX;
    }
    const windowStop = p;
    for (; p < end; p++) {
      const c = text.charCodeAt(p);
      const f = FACT[c] as number;
      if (((f | keep) & F_RUN) === 0) break;
      and &= f;
      or |= f;
      hex += f & F_HEX;
      punctuation += (f >> 11) & 1;
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
    this.hex = hex;
    this.base64Punctuation = punctuation;
    this.padding = padding;
    const body = p - start - padding > 0 && padding <= 2;
    this.base64 = body && (and & F_BASE64) !== 0;
    this.base64url = body && (and & F_BASE64URL) !== 0;
    return p;
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
