import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";

const masker = createMasker({ fingerprintKey: "test-key" });
const SIZE = 10_000_000;

function repeat(unit: string): string {
  return unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
}

describe("maskText on hostile 10 MB input", () => {
  // Completes (linear scanners); timing is measured in bench/mask.ts, not asserted here.
  it.each([
    // No anchors at all.
    ["a", repeat("a"), false],
    // PEM begin markers that never name a private key.
    ["BEGIN", repeat("-----BEGIN "), false],
    // JWT prefixes that never form a token.
    ["eyJ", repeat("eyJ"), false],
    // URL schemes without authority ends.
    ["scheme", repeat("a://"), false],
    // Sensitive keys chained to each other.
    ["password=", repeat("password="), true],
    // A private key header with no END line: masked to the end.
    ["BEGIN key", repeat("-----BEGIN PRIVATE KEY-----"), true],
    // Separators only.
    ["colons", repeat(":="), false],
  ])("%s", (_name, text, masks) => {
    const out = masker.maskText(text);
    expect(out.includes("<masked fp:")).toBe(masks);
    if (!masks) expect(out.length).toBe(text.length);
  });
});
