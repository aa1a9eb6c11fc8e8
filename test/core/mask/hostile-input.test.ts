import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";

const masker = createMasker({ fingerprintKey: "test-key" });
const MB = 1_000_000;

/** `unit` repeated to `size` characters. The two inputs the issue names get 10 MB, the rest 2 MB (keeps the suite fast). */
function repeat(unit: string, size = 2 * MB): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

describe("maskText on hostile input (2-10 MB)", () => {
  // Completes (linear scanners); timing is measured in bench/mask.ts, not asserted here.
  it.each([
    // No anchors at all.
    ["a", repeat("a", 10 * MB), false],
    // PEM begin markers that never name a private key.
    ["BEGIN", repeat("-----BEGIN ", 10 * MB), false],
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
    // Sensitive env names with no value anywhere.
    ["env names", repeat("- name: DB_PASSWORD\n"), false],
    // Sensitive block scalars with empty blocks.
    ["block scalars", repeat("password: |\n"), false],
  ])("%s", (_name, text, masks) => {
    const out = masker.maskText(text);
    expect(out.includes("<masked fp:")).toBe(masks);
    if (!masks) expect(out.length).toBe(text.length);
  });
});
