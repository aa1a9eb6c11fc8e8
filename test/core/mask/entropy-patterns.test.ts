import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";
import { detectRandomTokens, detectRejectedValues } from "../../../src/core/mask/entropy-patterns.js";
import type { Span } from "../../../src/core/mask/span.js";
import { findSecrets } from "../../../src/core/mask/text-scanner.js";

const masker = createMasker({ fingerprintKey: "test-key" });
const scan = (text: string, depth: number): Span[] =>
  findSecrets(text, depth).map((r) => ({ ...r, kind: "encoded-secret" }));
const found = (text: string) => detectRandomTokens(text, 0, scan).map((s) => text.slice(s.start, s.end));

describe("random-token fallback", () => {
  it.each([
    // A Google OAuth client id is public (it sits in every sign-in page).
    ["googleClientId=123456789012-abcdefghijklmnopqrstuv0123456789.apps.googleusercontent.com"],
    ["client_id: 987654321098-0a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p.apps.googleusercontent.com"],
    // Digests, UUIDs and generated names keep their benign shapes.
    ["sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    ["uid 123e4567-e89b-12d3-a456-426614174000"],
    ["pod kube-proxy-7f9c8d6b5-x2kq9-abcde"],
  ])("keeps %s", (text) => {
    expect(found(text)).toEqual([]);
    expect(masker.maskText(text)).toBe(text);
  });

  it.each([
    // The client id's shape with a secret-looking tail is not a client id.
    [
      "x=123456789012-wJalrXUtnFEMIK7MDENGbPxRfiCY1234.apps.example.com",
      "123456789012-wJalrXUtnFEMIK7MDENGbPxRfiCY1234.apps.example.com",
    ],
    // A random token next to a client-id-like suffix still goes.
    ["k=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY1", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY1"],
    // Standard base64 of random bytes, cut by `/` into short segments, judged as a whole.
    ["key: q8Zx/3Lm+Tr9/Vb1Kp4/Wn7Yc2/Hs5Dj/8Fg==", "q8Zx/3Lm+Tr9/Vb1Kp4/Wn7Yc2/Hs5Dj/8Fg=="],
  ])("masks the token in %s", (text, token) => {
    expect(found(text)).toEqual([token]);
  });

  it("looks inside base64 that decodes to text, at most two levels deep", () => {
    const inner = '{"password":"hunter2hunter2"}';
    const once = Buffer.from(inner).toString("base64");
    const twice = Buffer.from(once).toString("base64");
    expect(found(`data: ${once}`)).toEqual([once]);
    expect(found(`data: ${twice}`)).toEqual([twice]);
    // Encoded text without a secret stays.
    const plain = Buffer.from("hello: world, nothing here").toString("base64");
    expect(found(`data: ${plain}`)).toEqual([]);
  });
});

describe("rejected values in API server messages", () => {
  const values = (text: string) => detectRejectedValues(text).map((s) => text.slice(s.start, s.end));

  it("masks the quoted value of each marker", () => {
    expect(values('spec.x: Invalid value: "s3cr3t-Zk3pQ9xLm2": must be short')).toEqual([
      "s3cr3t-Zk3pQ9xLm2",
    ]);
    expect(values("field: invalid value: 'Zk3pQ9xLm2Rt7Vb1'")).toEqual(["Zk3pQ9xLm2Rt7Vb1"]);
    // The quote must be the marker's own: `Invalid value: '…'` is no marker.
    expect(values("Invalid value: 'Zk3pQ9xLm2Rt7Vb1'")).toEqual([]);
  });

  it("keeps values that read as names, and finds a marker quoted inside another's value", () => {
    expect(values('Invalid value: "my-service-name"')).toEqual([]);
    // The Duplicate marker sits inside the Invalid marker's value; each marker reads its own.
    const text = 'Invalid value: "Duplicate value: "Zk3pQ9xLm2Rt7Vb1""';
    expect(values(text).sort()).toEqual(["Duplicate value: ", "Zk3pQ9xLm2Rt7Vb1"].sort());
  });

  it("judges a repeated value once and masks every occurrence", () => {
    const text = 'Forbidden value: "Zk3pQ9xLm2Rt7Vb1"\n'.repeat(50);
    expect(values(text)).toHaveLength(50);
  });
});

describe("bounded work on hostile text", () => {
  it("looks inside a bounded amount of encoded text per scan, then masks encoded text unseen", () => {
    // Thousands of encoded configuration values: each would cost a full scan of its own.
    const word = Buffer.from('{"a": "b", "c": 1}\n').toString("base64");
    const text = `${word} `.repeat(5000);
    let scans = 0;
    const counting = (inner: string, depth: number): Span[] => {
      scans++;
      return scan(inner, depth);
    };
    const spans = detectRandomTokens(text, 0, counting);
    // The allowance (64 KiB plus 1/16 of the text, 1 KiB per look) bounds the looks.
    expect(scans).toBeLessThanOrEqual(Math.ceil((64 * 1024 + text.length / 16) / 1024));
    expect(scans).toBeGreaterThan(10);
    // The values looked into stay (no secret inside); the rest are masked (fail closed).
    expect(spans.length).toBe(5000 - scans);
    expect(spans[0]?.start).toBe(scans * (word.length + 1));
  });

  it("judges a bounded number of distinct rejected values, then masks them unjudged", () => {
    const values = Array.from({ length: 3000 }, (_, k) => `name-${k}`);
    const text = values.map((v) => `Invalid value: "${v}"\n`).join("");
    const masked = detectRejectedValues(text).map((s) => text.slice(s.start, s.end));
    // Names stay while judged (1,024 plus one per 256 characters), the rest are masked.
    const judged = 1024 + Math.floor(text.length / 256);
    expect(masked).toEqual(values.slice(judged));
  });
});
