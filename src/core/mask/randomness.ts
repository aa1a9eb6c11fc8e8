/**
 * Whether a run of characters looks machine-generated (a key, a token) rather than written by a
 * person (a word, a name, a camelCase identifier). Bounded: at most RANDOM_WINDOW characters looked at.
 */

/** Characters examined; a longer run is judged by its first RANDOM_WINDOW characters. */
const RANDOM_WINDOW = 256;

/** Shannon entropy in bits per character of `text[start, end)`. */
export function entropy(text: string, start: number, end: number): number {
  const counts = new Map<number, number>();
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const n = end - start;
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / n;
    bits -= p * Math.log2(p);
  }
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
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) k.digit++;
    else if (c >= 65 && c <= 90) k.upper++;
    else if (c >= 97 && c <= 122) k.lower++;
    else k.other++;
  }
  return k;
}

/**
 * A token body that looks random: letters mixed with digits, or both cases with many capitals
 * (a camelCase identifier has few), and enough entropy for its length.
 */
export function looksRandom(text: string, start: number, end: number, minLength = 8): boolean {
  const length = end - start;
  if (length < minLength) return false;
  const stop = Math.min(end, start + RANDOM_WINDOW);
  const k = charClasses(text, start, stop);
  const letters = k.upper + k.lower;
  const n = stop - start;
  // Digits spread through the token (≥ 10%): `countersign-git-7ha5Bu` (a temp dir) has two, a key has many.
  const digitsMixed = k.digit >= Math.max(2, n * 0.1) && letters >= 2 && k.digit <= n * 0.9;
  const casesMixed = k.upper >= 2 && k.lower >= 2 && k.upper >= letters * 0.3 && k.lower >= letters * 0.2;
  // All three classes at once (upper, lower, digit) is how generated keys look, whatever the proportions.
  const allClasses = k.digit >= 1 && k.upper >= 2 && k.lower >= 2 && k.upper >= letters * 0.2 && n >= 16;
  if (!digitsMixed && !casesMixed && !allClasses) return false;
  // Random alphanumerics carry ~4 bits/char once long; short ones cannot reach that.
  // Hex carries at most 4 bits/char: a lower bar for (mostly) hex runs.
  let hex = 0;
  for (let i = start; i < stop; i++) if (isHex(text, i, i + 1)) hex++;
  const needed = Math.min(hex >= n * 0.85 ? 2.8 : 3.5, Math.log2(n) - 0.8);
  return entropy(text, start, stop) >= needed;
}

/** Only hex digits (either case). */
export function isHex(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return end > start;
}
