import { describe, expect, it } from "vitest";
import { detectPrefixedTokens } from "../../../src/core/mask/token-scanner.js";

const tokens = (text: string) => detectPrefixedTokens(text).map((s) => text.slice(s.start, s.end));

describe("prefixed tokens", () => {
  it.each([
    // The longest matching prefix wins: an Anthropic key is not read as a generic sk- key.
    ["k=sk-ant-api03-" + "a1B2c3D4e5".repeat(9), "sk-ant-api03-" + "a1B2c3D4e5".repeat(9)],
    // A trailing dot after a dotted token is punctuation.
    ["see SG." + "a1B2c3D4e5".repeat(6) + ".", "SG." + "a1B2c3D4e5".repeat(6)],
    // A short-prefix rule needs a random body.
    ["sk-" + "q8ZxL3mT9rVb1Kp4Wn7Yc2Hs5Dj8Fg0Aa", "sk-q8ZxL3mT9rVb1Kp4Wn7Yc2Hs5Dj8Fg0Aa"],
  ])("finds the token in %s", (text, token) => {
    expect(tokens(text)).toEqual([token]);
  });

  it.each([
    // An exact-length format followed by more letters is something else.
    ["AKIAIOSFODNN7EXAMPLEXX"],
    // A word-like body under a short prefix.
    ["sk-this-is-not-a-key-at-all-just-words"],
  ])("leaves %s", (text) => {
    expect(tokens(text)).toEqual([]);
  });

  it("finds a key after a long run of prefixes that are not keys (the word starts share one run)", () => {
    const key = "sk-q8ZxL3mT9rVb1Kp4Wn7Yc2Hs5Dj8Fg0Aa";
    const text = "sk-".repeat(10_000) + key;
    // The run from the first `sk-` is one D-alphabet run: its first window is not random; the last
    // word start's is, so the token is the key (and whatever prefixes it shares a run with after it).
    const found = tokens(text);
    expect(found).toHaveLength(1);
    expect(found[0]?.endsWith(key.slice(3))).toBe(true);
  });
});

describe("Vault legacy tokens (`s.` + 24)", () => {
  it("finds one whose body has few capitals and digits (looksRandom alone doubts it)", () => {
    expect(tokens("VAULT_ADDR=x s.5gw9waYspvhkigwxytboMsXf done")).toEqual(["s.5gw9waYspvhkigwxytboMsXf"]);
  });

  it("leaves 24 letters without digits or capitals after `s.` alone", () => {
    expect(tokens("s.abcdefghijklmnopqrstuvwx")).toEqual([]);
  });
});
