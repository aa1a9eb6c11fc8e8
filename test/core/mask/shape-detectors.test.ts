import { describe, expect, it } from "vitest";
import { detectJwts, detectPrivateKeys } from "../../../src/core/mask/credential-patterns.js";
import {
  detectInfixTokens,
  detectPasswordHashes,
  detectQuerySecrets,
  detectWebhookUrls,
} from "../../../src/core/mask/shape-patterns.js";
import type { Detector } from "../../../src/core/mask/span.js";

/** The texts a detector's spans cover. */
function found(detect: Detector, text: string): string[] {
  return detect(text)
    .sort((a, b) => a.start - b.start)
    .map((s) => text.slice(s.start, s.end));
}

describe("query secrets", () => {
  it("takes the value after a listed name, whatever its case, also behind &amp;", () => {
    expect(found(detectQuerySecrets, "x?SIG=abcdefghijk&AMP;Access_Token=12345678 &id=abcdefghij")).toEqual([
      "abcdefghijk",
      "12345678",
    ]);
  });
  it("leaves short values and unlisted names", () => {
    expect(found(detectQuerySecrets, "?sig=1234567&token=&code=200&name=abcdefghijkl")).toEqual([]);
  });
  it("reads the Kelvin sign as k, as toLowerCase does", () => {
    expect(found(detectQuerySecrets, "?\u212Aey=abcdefghij")).toEqual(["abcdefghij"]);
  });
  it("does not start a value inside the last one", () => {
    expect(found(detectQuerySecrets, "?sig=abcdefgh?token=12345678")).toEqual(["abcdefgh?token=12345678"]);
  });
});

describe("password hashes", () => {
  it("finds each identifier once the hash is long enough", () => {
    const text =
      "a:$apr1$abcdefgh$ijklmnopqrstuv b:$2y$10$0123456789012345678901 c:$1$short d:{SSHA}0123456789abcdef";
    expect(found(detectPasswordHashes, text)).toEqual([
      "$apr1$abcdefgh$ijklmnopqrstuv",
      "$2y$10$0123456789012345678901",
      "{SSHA}0123456789abcdef",
    ]);
  });
  it("still examines a $ hash inside a {SCHEME} one", () => {
    const spans = found(detectPasswordHashes, "{SHA}abcdefghijklmnop$6$abcdefghijklmnopqrstuvwx");
    expect(spans).toEqual([
      "{SHA}abcdefghijklmnop$6$abcdefghijklmnopqrstuvwx",
      "$6$abcdefghijklmnopqrstuvwx",
    ]);
  });
});

describe("infix tokens", () => {
  it("finds Telegram, Azure and Terraform shapes", () => {
    const telegram = "1234567890:AA" + "b".repeat(33);
    const azure = "abc8Q~" + "x".repeat(31);
    const atlas = "a".repeat(14) + ".atlasv1." + "z".repeat(60);
    expect(found(detectInfixTokens, `${telegram} ${azure} ${atlas}`)).toEqual([telegram, azure, atlas]);
  });
  it("needs the digits before :AA and enough after", () => {
    expect(
      found(detectInfixTokens, "abc4567890:AA" + "b".repeat(33) + " 1234567890:AA" + "b".repeat(32)),
    ).toEqual([]);
  });
});

describe("webhook URLs", () => {
  it("takes the path after each marker, overlapping markers included", () => {
    const text =
      "https://hooks.slack.com/services/T000/B000/XXXX https://canary.discord.com/api/webhooks/123456/abcdef";
    expect(found(detectWebhookUrls, text)).toEqual(["T000/B000/XXXX", "123456/abcdef", "123456/abcdef"]);
  });
  it("takes a generic /hooks/ path only when it looks random", () => {
    expect(found(detectWebhookUrls, "https://git.example/hooks/pre-commit")).toEqual([]);
    expect(found(detectWebhookUrls, "https://chat.example/hooks/x8Kd2Lq9Zt4Wm7Rb")).toEqual([
      "x8Kd2Lq9Zt4Wm7Rb",
    ]);
  });
});

describe("JWTs and private keys", () => {
  it("finds JWTs in a row", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig";
    expect(found(detectJwts, `${jwt}.${jwt} xeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig`)).toEqual([jwt, jwt]);
  });
  it("finds private key blocks by label, to the end when cut off", () => {
    const key = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nabc\n-----END PGP PRIVATE KEY BLOCK-----";
    expect(
      found(detectPrivateKeys, `-----BEGIN CERTIFICATE-----\n${key}\n-----BEGIN PRIVATE KEY-----\nMII`),
    ).toEqual([key, "-----BEGIN PRIVATE KEY-----\nMII"]);
  });
});
