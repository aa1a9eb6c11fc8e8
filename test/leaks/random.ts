/** Fresh random values for the leak corpus: every run draws new credentials (crypto-random). */
import { randomBytes, randomInt } from "node:crypto";

export const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const LOWER = "abcdefghijklmnopqrstuvwxyz";
export const DIGITS = "0123456789";
export const ALNUM = UPPER + LOWER + DIGITS;
export const HEX = "0123456789abcdef";
export const B64 = `${ALNUM}+/`;
export const B64URL = `${ALNUM}-_`;
export const BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

/** `n` characters drawn from `alphabet`; re-drawn until it mixes letters and digits when `mixed`. */
export function draw(alphabet: string, n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Random alphanumerics containing upper, lower and digit (real tokens almost always do). */
export function token(n: number, alphabet = ALNUM): string {
  for (;;) {
    const t = draw(alphabet, n);
    if (alphabet !== ALNUM || (/[A-Z]/.test(t) && /[a-z]/.test(t) && /\d/.test(t))) return t;
  }
}

export function hex(n: number): string {
  return draw(HEX, n);
}

export function digits(n: number): string {
  return String(1 + randomInt(9)) + draw(DIGITS, n - 1);
}

export function b64(bytes: number): string {
  return randomBytes(bytes).toString("base64");
}

export function b64url(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

/** A human-chosen-looking password: mixed, with punctuation, 12–20 characters. */
export function password(): string {
  const words = ["Summer", "Dragon", "Tr0ub4dor", "Winter", "Falcon", "Correct", "Horse", "Maple"];
  const w = words[randomInt(words.length)] as string;
  return `${w}${digits(3)}${"!#%&*+-"[randomInt(7)]}${draw(ALNUM, 4 + randomInt(6))}`;
}

export function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)] as T;
}

/** A lower-case word suffix making benign values unique in the output. */
export function tag(): string {
  return draw(LOWER, 6);
}

/** A PEM block of `label` with `lines` lines of random base64 body. */
export function pem(label: string, lines = 6): string {
  const body: string[] = [];
  for (let i = 0; i < lines; i++) body.push(randomBytes(48).toString("base64"));
  return `-----BEGIN ${label}-----\n${body.join("\n")}\n-----END ${label}-----\n`;
}
