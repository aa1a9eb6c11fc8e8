import { describe, expect, it } from "vitest";
import { detectSensitivePairs, mayNameSecret } from "../../../src/core/mask/sensitive-pairs.js";
import { nameSensitivity } from "../../../src/core/mask/sensitive-names.js";

/** The values the detector masks, in order. */
function masked(text: string): string[] {
  return detectSensitivePairs(text)
    .sort((a, b) => a.start - b.start)
    .map((s) => text.slice(s.start, s.end));
}

describe("sensitive pairs: the key cache", () => {
  it("tells apart keys of one length and the same last four characters", () => {
    // Same length, same tail ("word"): one cache slot, told apart by the characters before the tail.
    const text = "password=abc123 xxssword=abc123 password=def456 xxssword=def456\n";
    expect(masked(text)).toEqual(["abc123", "def456"]);
  });
  it("tells apart short keys that are a tail of longer ones", () => {
    expect(masked("sword=abc123 pwd=abc123 apwd=abc123 pwd=xyz789")).toEqual(["abc123", "xyz789"]);
  });
  it("reads a key that runs on from before the previous value's end", () => {
    // The weak key's value stops at the nested `=`: `token` is then a key of its own.
    expect(masked("key: token=Zk3pQ9xLm2Rt7Vb1")).toEqual(["Zk3pQ9xLm2Rt7Vb1"]);
  });
});

describe("sensitive pairs: values judged in place", () => {
  it("masks what judge() masks and keeps what it keeps", () => {
    const text = [
      "api_token: aB3dE5gH9kL", // random: masked
      "api_token: abcdefghijkl", // a wordy name: kept
      "api_token: TRUE", // a boolean in any case: kept
      "api_token: NEXT_PUBLIC_ABC123", // publishable: kept
      "password: Disabled", // a boolean: kept
      "password: |", // one character: kept
      "password: hunter2", // any other word: masked
      `api_token: ${"x".repeat(260)}`, // too long for a name: masked
    ].join("\n");
    expect(masked(text)).toEqual(["aB3dE5gH9kL", "hunter2", "x".repeat(260)]);
  });
});

describe("sensitive pairs: names classified only when they hold a trigger", () => {
  it("lets through every name nameSensitivity() finds sensitive, however it is cut or cased", () => {
    const names = [
      "password",
      "p_assword",
      "PASS-WD",
      "dbPwd",
      "connection_string",
      "CONNECTION.STRING",
      "k_ey",
      "stripeKey",
      "x-auth-token",
      "client_secret",
      "licence",
      "hmacSalt",
      "sasToken",
      "webhook_url_secret",
      "masterauth",
      "requirepass",
      "signing_key",
      "session",
      "bearer",
      "dsn",
      "cookie",
      "credentials",
      "private",
      "management_api",
    ];
    for (const name of names) {
      const text = ` ${name}:`;
      expect(nameSensitivity(name), name).not.toBe("none");
      expect(mayNameSecret(text, 1, 1 + name.length), name).toBe(true);
    }
  });
  it("skips names without any", () => {
    for (const name of ["replicas", "image_tag", "aB3dE5gH9kL1", "namespace", "apppp"]) {
      expect(mayNameSecret(` ${name}:`, 1, 1 + name.length), name).toBe(false);
    }
  });
  it("still masks under a key whose trigger a separator cuts", () => {
    expect(masked("p_assword: hunter22 k_ey: aB3dE5gH9kL1")).toEqual(["hunter22", "aB3dE5gH9kL1"]);
  });
});
