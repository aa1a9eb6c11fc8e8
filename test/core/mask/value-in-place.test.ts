import { describe, expect, it } from "vitest";
import { masksInPlace, valueFlags } from "../../../src/core/mask/value-in-place.js";
import { judge } from "../../../src/core/mask/value-judge.js";

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+/=";
const PIECES = [
  "true",
  "False",
  "pk_live_",
  "FLWPUBK",
  "NEXT_PUBLIC_",
  "10s",
  "5m",
  "+1",
  "Gi",
  "/",
  "null",
  "On",
];

/** Seeded (xorshift): the same values every run. */
let seed = 0x1234567;
function next(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

describe("masksInPlace", () => {
  it("agrees with judge() wherever it decides, and decides most plain values", () => {
    let decided = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      let value = "";
      const length = 1 + next(30);
      while (value.length < length) {
        value +=
          next(10) < 7 ? ALPHABET[next(next(2) === 0 ? 26 : ALPHABET.length)] : PIECES[next(PIECES.length)];
      }
      for (const sensitivity of ["password", "secret", "weak"] as const) {
        const verdict = masksInPlace(value, 0, value.length, sensitivity, valueFlags(value, 0, value.length));
        if (verdict === undefined) continue;
        decided++;
        if (verdict !== (judge("", value, sensitivity) === "mask"))
          disagreements.push(`${sensitivity} ${value}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(decided).toBeGreaterThan(40_000);
  });

  it("leaves values with other characters to judge()", () => {
    const value = "https://example.com/x";
    expect(
      masksInPlace(value, 0, value.length, "secret", valueFlags(value, 0, value.length)),
    ).toBeUndefined();
  });
});
