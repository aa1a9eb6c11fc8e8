/**
 * Case-insensitive comparison helpers for the context detectors: they read code units in place, so a
 * candidate is compared without lower-casing the text or slicing it.
 */

/** ASCII lower case of one code unit (and the Kelvin sign, which `toLowerCase` maps to `k`). */
export function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c === 0x212a ? 107 : c;
}

/**
 * Whether `text[at, at + length)` equals the first `length` characters of `word` (lower case ASCII;
 * all of it by default) ignoring case, like comparing `toLowerCase()`.
 */
export function matchesLower(text: string, at: number, word: string, length = word.length): boolean {
  if (at < 0 || at + length > text.length) return false;
  for (let k = 0; k < length; k++) {
    if (lowerCode(text.charCodeAt(at + k)) !== word.charCodeAt(k)) return false;
  }
  return true;
}
