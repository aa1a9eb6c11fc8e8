import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";
import {
  FINGERPRINTS_PER_TEXT,
  PLAIN_PLACEHOLDER,
  findSecrets,
} from "../../../src/core/mask/text-scanner.js";

/** Distinct AWS access key ids: `AKIA` + 16 characters of [A-Z2-7] spelling `i`. */
function keyId(i: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let body = "";
  for (let n = i, k = 0; k < 16; k++, n = Math.floor(n / 32)) body += alphabet[n % 32];
  return `AKIA${body}`;
}

describe("the fingerprint budget of one text", () => {
  const count = FINGERPRINTS_PER_TEXT + 50;
  const secrets = Array.from({ length: count }, (_, i) => keyId(i));
  const text = secrets.map((s, i) => `key${i}=${s}`).join("\n");
  const masker = createMasker({ fingerprintKey: "budget" });
  const masked = masker.maskText(text);

  it("masks every secret, past the budget as a plain placeholder", () => {
    for (const secret of secrets) expect(masked).not.toContain(secret);
    expect(masked.match(/<masked fp:[0-9a-f]{12}>/g)?.length).toBe(FINGERPRINTS_PER_TEXT);
    expect(masked.split(PLAIN_PLACEHOLDER).length - 1).toBe(50);
  });

  it("gives a repeated secret the same placeholder, hashed once", () => {
    const repeated = masker.maskText(`${secrets[0]} ${secrets[1]} ${secrets[0]}`);
    const [a, b, c] = repeated.split(" ");
    expect(a).toBe(c);
    expect(a).not.toBe(b);
  });

  it("is idempotent past the budget too", () => {
    expect(masker.maskText(masked)).toBe(masked);
    expect(findSecrets(PLAIN_PLACEHOLDER)).toEqual([]);
  });

  it("merges overlapping spans whatever their number", () => {
    // Many spans (packed sort) and few spans (comparator sort) give the same regions.
    const many = secrets.slice(0, 100).join(" ");
    const regions = findSecrets(many);
    expect(regions).toHaveLength(100);
    expect(regions[1]).toEqual({ start: 21, end: 41 });
    expect(findSecrets(secrets.slice(0, 2).join(" "))).toEqual(regions.slice(0, 2));
  });
});

describe("masking masked text", () => {
  const masker = createMasker({ fingerprintKey: "idempotent" });
  it.each([
    "mysql -pS3cr3tPassw0rd",
    "- name: DB_PASSWORD\n  value: hunter22",
    "requirepass hunter22",
    "password=hunter22",
    "docker login -p hunter22 -u me",
    "https://user:hunter22@example.com/x",
  ])("changes nothing the second time: %j", (text) => {
    const once = masker.maskText(text);
    expect(once).not.toContain("hunter22");
    expect(masker.maskText(once)).toBe(once);
    // The same with the plain placeholder of an exhausted budget in place of the fingerprint.
    const plain = once.replace(/<masked fp:[0-9a-f]{12}>/g, PLAIN_PLACEHOLDER);
    expect(masker.maskText(plain)).toBe(plain);
  });

  it("still masks a secret that only starts like a placeholder", () => {
    expect(masker.maskText("mysql -p<maskedS3cr3tPassw0rd")).not.toContain("S3cr3tPassw0rd");
  });
});
