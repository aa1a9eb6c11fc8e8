import { describe, expect, it } from "vitest";
import { detectRandomTokens, detectRejectedValues } from "../../../src/core/mask/entropy-patterns.js";
import { detectPrefixedTokens } from "../../../src/core/mask/token-scanner.js";
import { findSecrets } from "../../../src/core/mask/text-scanner.js";
import type { Span } from "../../../src/core/mask/span.js";

// Repeated text takes shortcuts (a repeat is found by arithmetic, not read again): each repeat
// must still be found where reading it alone finds it.
const scan = (inner: string, depth: number): Span[] =>
  findSecrets(inner, depth).map((r) => ({ ...r, kind: "encoded-secret" as const }));

const detectors: [string, (text: string) => Span[]][] = [
  ["PrefixedTokens", detectPrefixedTokens],
  ["RandomTokens", (text) => detectRandomTokens(text, 0, scan)],
  ["RejectedValues", detectRejectedValues],
];

/** The spans of `unit` alone, at every repeat of it in `unit.repeat(times)`. */
function repeatedSpans(detect: (text: string) => Span[], unit: string, times: number): string[] {
  const spans = detect(unit);
  const expected: string[] = [];
  for (let k = 0; k < times; k++) {
    for (const s of spans) expected.push(`${s.start + k * unit.length}-${s.end + k * unit.length}`);
  }
  return expected.sort();
}

const found = (spans: Span[]): string[] => spans.map((s) => `${s.start}-${s.end}`).sort();

describe("repeated text", () => {
  it.each([
    ["AKIAIOSFODNN7EXAMPLE "],
    ["token: q8ZxL3mT9rVb1Kp4Wn7Yc2Hs5Dj8Fg0A\n"],
    // Encoded text holding a secret: masked whether looked into or (past the decoding budget) not.
    [`${Buffer.from('{"password": "hunter2"}\n').toString("base64")} `],
    ['Invalid value: "hunter2"\n'],
    ["Duplicate value: \"x8Kd2mQ9zR4tLp7Wv3Yn\" and invalid value: 'x8Kd2mQ9zR4tLp7Wv3Yn'\n"],
    ["https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX "],
  ])("finds in %j repeated what it finds in it once", (unit) => {
    for (const [, detect] of detectors) {
      expect(found(detect(unit.repeat(3000)))).toEqual(repeatedSpans(detect, unit, 3000));
    }
  });

  it("finds a different token after a long repetition", () => {
    const unit = "AKIAIOSFODNN7EXAMPLE ";
    const other = "AKIAJ7Q3ZRX5L2MDK4PB";
    const text = unit.repeat(2000) + other;
    const last = `${2000 * unit.length}-${2000 * unit.length + other.length}`;
    for (const [name, detect] of detectors.slice(0, 2)) {
      const spans = found(detect(text));
      expect(spans, name).toContain(last);
      expect(spans, name).toEqual([...repeatedSpans(detect, unit, 2000), last].sort());
    }
  });
});
