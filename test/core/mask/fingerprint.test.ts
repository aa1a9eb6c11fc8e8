import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createFingerprint, FINGERPRINT_HEX_CHARS } from "../../../src/core/mask/fingerprint.js";
import { createMasker } from "../../../src/core/mask/masker.js";

describe("fingerprint", () => {
  it("is the truncated HMAC-SHA256 with the configured key, not a plain hash", () => {
    // Keyed: equals the HMAC, and differs from sha256 of the value.
    const fp = createFingerprint("deploy-key")("hunter2");
    expect(fp).toBe(createHmac("sha256", "deploy-key").update("hunter2").digest("hex").slice(0, 12));
    expect(fp).not.toBe(createHash("sha256").update("hunter2").digest("hex").slice(0, 12));
    expect(fp).toHaveLength(FINGERPRINT_HEX_CHARS);
  });

  it.each([
    // A string key and the same key as bytes agree.
    ["string vs bytes", "k1", new TextEncoder().encode("k1"), true],
    // Different keys give different fingerprints of the same value.
    ["different keys", "k1", "k2", false],
  ])("%s", (_name, a, b, same) => {
    expect(createFingerprint(a)("v") === createFingerprint(b)("v")).toBe(same);
  });

  it("uses one random key per process when none is configured", () => {
    // Two maskers without a key agree with each other but not with a keyed one.
    const a = createMasker().fingerprint("v");
    expect(createMasker().fingerprint("v")).toBe(a);
    expect(createMasker({ fingerprintKey: "x" }).fingerprint("v")).not.toBe(a);
  });

  it("refuses an empty key", () => {
    // An empty HMAC key would make fingerprints guessable: fail closed.
    expect(() => createMasker({ fingerprintKey: "" })).toThrow(/fingerprint key must not be empty/);
  });

  it("does not keep a reference to the caller's key bytes", () => {
    // Mutating the caller's buffer afterwards does not change fingerprints.
    const key = new TextEncoder().encode("abc");
    const fp = createFingerprint(key);
    const before = fp("v");
    key.fill(0);
    expect(fp("v")).toBe(before);
  });
});
