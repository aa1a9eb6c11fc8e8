/**
 * Character classes as bit flags in one table, so a scanner classifies a character with one
 * array read instead of a chain of comparisons. Indexed by UTF-16 code unit.
 */
export const DIGIT = 1;
export const UPPER = 2;
export const LOWER = 4;
/** `0-9a-fA-F`. */
export const HEX = 8;
/** Space, tab, CR, LF, VT, FF. */
export const SPACE = 16;
/** `_`: with ALNUM, a word character. */
export const UNDERSCORE = 32;
/** `+ / _ - . ~`: with ALNUM, the characters of a token run (base64, base64url, dotted tokens). */
export const TOKEN_PUNCT = 64;

export const ALNUM = DIGIT | UPPER | LOWER;
export const WORD = ALNUM | UNDERSCORE;
export const TOKEN = ALNUM | TOKEN_PUNCT;

export const CHAR: Uint8Array = (() => {
  const table = new Uint8Array(65536);
  for (let c = 48; c <= 57; c++) table[c] = DIGIT | HEX;
  for (let c = 65; c <= 90; c++) table[c] = UPPER | (c <= 70 ? HEX : 0);
  for (let c = 97; c <= 122; c++) table[c] = LOWER | (c <= 102 ? HEX : 0);
  for (const c of [32, 9, 10, 13, 11, 12]) table[c] = SPACE;
  for (const c of "+/_-.~") table[c.charCodeAt(0)] = (table[c.charCodeAt(0)] as number) | TOKEN_PUNCT;
  table[95] = (table[95] as number) | UNDERSCORE;
  return table;
})();

/** Whether code unit `c` has any of `flags`. */
export function has(c: number, flags: number): boolean {
  return ((CHAR[c] as number) & flags) !== 0;
}
