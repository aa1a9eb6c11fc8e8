import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../src/core/audit/canonical-json.js";
import { assertClusterName, recordKey, sealRecord } from "../../../src/core/audit/seal.js";
import { parseRecord } from "../../../src/core/audit/parse.js";
import { sampleChain } from "./fixtures.js";

describe("canonicalJson", () => {
  it.each([
    // Keys sorted, no whitespace, undefined members dropped.
    [{ b: 1, a: [true, null], c: undefined }, '{"a":[true,null],"b":1}'],
    // Nested objects sorted too; strings escaped as JSON.stringify does.
    [{ z: { y: "é\n", x: 1.5 } }, '{"z":{"x":1.5,"y":"é\\n"}}'],
  ])("encodes %j", (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it("rejects hostile nesting with an error, not a stack overflow", () => {
    // 100,000 nested arrays would overflow the stack of a naive recursive encoder.
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/nested deeper than 256/);
  });

  it.each([[Number.NaN], [Infinity], [10n]])("rejects %s", (value) => {
    // Values JSON cannot represent exactly are refused rather than silently changed.
    expect(() => canonicalJson(value)).toThrow(/canonical JSON/);
  });
});

describe("sealRecord and recordKey", () => {
  it("links records and keeps times strictly increasing even when the clock steps back", () => {
    const [first] = sampleChain();
    const next = sealRecord({ ...first!, id: "n" }, first!, new Date(0));
    expect(next.prev).toBe(first!.hash);
    expect(next.seq).toBe(1);
    expect(Date.parse(next.time)).toBe(Date.parse(first!.time) + 1);
  });

  it("names the key by cluster, day, time, kind, commit and hash", () => {
    const [first] = sampleChain();
    expect(recordKey(first!)).toBe(
      `prod/2026/01/02/20260102T000000.000Z-intent-abcdef1-${first!.hash.slice(0, 8)}.json`,
    );
  });

  it.each(["..", "a/b", "", "x".repeat(64), "-x"])("refuses cluster name %j", (name) => {
    // Cluster names become path segments: traversal and odd names are refused.
    expect(() => assertClusterName(name)).toThrow(/invalid cluster name/);
  });
});

describe("parseRecord", () => {
  it("accepts a sealed record", () => {
    const [first] = sampleChain();
    expect(parseRecord(JSON.parse(JSON.stringify(first)))).toEqual(first);
  });

  it.each([
    // Not an object at all.
    [[1, 2], /not a JSON object/],
    // A wrong kind.
    [{ ...sampleChain()[0], kind: "nope" }, /kind must be one of/],
    // A hostile approvals entry.
    [{ ...sampleChain()[0], approvals: [null] }, /approvals\[0\] must be an object/],
  ])("rejects bad input %#", (value, message) => {
    expect(() => parseRecord(value)).toThrow(message);
  });
});
