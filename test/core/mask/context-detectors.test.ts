import { describe, expect, it } from "vitest";
import {
  detectBearerTokens,
  detectSensitivePairs,
  detectUrlPasswords,
} from "../../../src/core/mask/context-patterns.js";
import type { Detector } from "../../../src/core/mask/span.js";

/** The texts a detector's spans cover, in order, without repeats. */
function found(detect: Detector, text: string): string[] {
  const spans = detect(text).sort((a, b) => a.start - b.start || a.end - b.end);
  return [...new Set(spans.map((s) => `${s.start}:${s.end}`))].map((k) => {
    const [start, end] = k.split(":").map(Number);
    return text.slice(start, end);
  });
}

describe("bearer tokens", () => {
  it("takes the token after a scheme in any case, at a word start", () => {
    const text =
      "Authorization: BEARER abc123.def456-ghi\nx-api-key Zk3pQ9xLm2Rt7Vb1\nxbearer abc123.def456-ghi";
    expect(found(detectBearerTokens, text)).toEqual(["abc123.def456-ghi", "Zk3pQ9xLm2Rt7Vb1"]);
  });
  it("reads the Kelvin sign as k, as toLowerCase does", () => {
    expect(found(detectBearerTokens, "\u212Aey Zk3pQ9xLm2Rt7Vb1Q")).toEqual(["Zk3pQ9xLm2Rt7Vb1Q"]);
  });
  it("finds a scheme that ends the previous token", () => {
    const text = "token 9ls/fjSY8kV3x/Bearer yZabc8Q~K5PTO1Slvyw";
    expect(found(detectBearerTokens, text)).toEqual(["9ls/fjSY8kV3x/Bearer", "yZabc8Q~K5PTO1Slvyw"]);
  });
  it("leaves words and short tokens", () => {
    expect(found(detectBearerTokens, "Bearer authentication, token abc123, key Abcdefgh12")).toEqual([]);
  });
});

describe("URL passwords", () => {
  it("takes the password up to the last @ of the authority", () => {
    const text = "a://x b://u:p@ss@h/x?y=z@w postgres://app:s3cr3t@db:5432 ftp://u:@h";
    expect(found(detectUrlPasswords, text)).toEqual(["p@ss", "s3cr3t"]);
  });
  it("takes a random-looking user as a key", () => {
    expect(found(detectUrlPasswords, "https://9f8e7d6c5b4a3f2e1d0cAbCd@o1.ingest.sentry.io/2")).toEqual([
      "9f8e7d6c5b4a3f2e1d0cAbCd",
    ]);
  });
});

describe("sensitive pairs", () => {
  it("judges each value under its own key, however often keys and values repeat", () => {
    const text = "password=hunter2 user=hunter2 token=Zk3pQ9xLm2Rt7Vb1 name=Zk3pQ9xLm2Rt7Vb1 ".repeat(3);
    expect(found(detectSensitivePairs, text)).toEqual(
      Array.from({ length: 3 }, () => ["hunter2", "Zk3pQ9xLm2Rt7Vb1"]).flat(),
    );
  });
  it("gives the same value different verdicts under different sensitivities", () => {
    // `db-credentials` names a Secret under a secret key, but is a password under a password key.
    const text = "secret: db-credentials\npassword: db-credentials\nsecret: db-credentials\n";
    expect(found(detectSensitivePairs, text)).toEqual(["db-credentials"]);
  });
  it("cuts a nested pair under a weak key only inside the value", () => {
    // The value stops at the nested `=`: `token` is judged as a key of its own.
    expect(found(detectSensitivePairs, "key: token=Zk3pQ9xLm2Rt7Vb1")).toEqual(["Zk3pQ9xLm2Rt7Vb1"]);
    expect(found(detectSensitivePairs, "key: Zk3pQ9xLm2Rt7Vb1=abc")).toEqual(["Zk3pQ9xLm2Rt7Vb1"]);
    expect(found(detectSensitivePairs, "key: abcdefghijkl=Zk3pQ9xLm2Rt7Vb1")).toEqual([]);
    expect(found(detectSensitivePairs, "key: Zk3pQ9xLm2Rt7Vb1 x=y")).toEqual(["Zk3pQ9xLm2Rt7Vb1"]);
  });
  it("reads many weak keys without an = anywhere in linear time", () => {
    const text = "key: abc\n".repeat(200_000);
    expect(detectSensitivePairs(text)).toEqual([]);
  });
});
