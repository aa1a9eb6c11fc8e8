import { describe, expect, it } from "vitest";
import {
  SlidingRandomness,
  entropy,
  looksRandom,
  looksRandomBase64,
} from "../../../src/core/mask/randomness.js";

/** A small deterministic generator, so a failure can be replayed. */
function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function draw(next: () => number, alphabet: string, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

const ALPHABETS = [
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
  "abcdef0123456789",
  "abcdefghijklmnopqrstuvwxyz",
  "aB1",
  "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-_",
];

describe("looksRandom", () => {
  it.each([
    // A generated key: all classes, high entropy.
    ["wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY", true],
    // A camelCase identifier: few capitals.
    ["thisIsAnOrdinaryIdentifierName", false],
    // A word repeated: low entropy.
    ["abcabcabcabcabcabcabc1", false],
    // Hex of a key: the lower bar for hex.
    ["9f8e7d6c5b4a3f2e1d0c", true],
  ])("%s → %s", (value, random) => {
    expect(looksRandom(value, 0, value.length)).toBe(random);
  });

  it("measures entropy in bits per character", () => {
    // Four symbols, equally frequent: 2 bits.
    expect(entropy("abcdabcd", 0, 8)).toBe(2);
    expect(entropy("aaaa", 0, 4)).toBe(0);
  });

  it("judges base64 without its punctuation", () => {
    // The `+` and `/` would otherwise count as a class of their own.
    const run = "wJalrXUt/nFEMIK7MD+ENGbPxRf/iCYEXAMPLEKEY==";
    const bare = run.replace(/[+/=]/g, "");
    expect(looksRandomBase64(run, 0, run.length, bare.length, 24)).toBe(
      looksRandom(bare, 0, bare.length, 24),
    );
    expect(looksRandomBase64(run, 0, run.length, bare.length, 24)).toBe(true);
  });
});

describe("SlidingRandomness", () => {
  it("answers as looksRandom for windows moving through a text, forward and back", () => {
    const next = generator(7);
    let text = "";
    while (text.length < 20_000)
      text += draw(
        next,
        ALPHABETS[Math.floor(next() * ALPHABETS.length)] as string,
        1 + Math.floor(next() * 300),
      );
    const sliding = new SlidingRandomness(text);
    let start = 0;
    const verdicts = { true: 0, false: 0 };
    while (start < text.length - 8) {
      const end = Math.min(text.length, start + 8 + Math.floor(next() * 600));
      const random = looksRandom(text, start, end);
      expect(sliding.judge(start, end), `[${start}, ${end})`).toBe(random);
      verdicts[`${random}`]++;
      // Mostly forward, sometimes a step back (a shorter prefix at the same word start).
      start = Math.max(0, start + Math.floor(next() * 40) - 3);
    }
    // Both verdicts were exercised.
    expect(verdicts.true).toBeGreaterThan(100);
    expect(verdicts.false).toBeGreaterThan(100);
  });
});
