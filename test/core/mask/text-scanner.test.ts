import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";
import { SCANNERS, findSecrets } from "../../../src/core/mask/text-scanner.js";
import { detector } from "../../../src/core/mask/span.js";

const masker = createMasker({ fingerprintKey: "test-key" });
const MASK = /<masked fp:[0-9a-f]{12}>/;

describe("maskText detectors", () => {
  it.each([
    // AWS access key id, the documented example.
    ["aws key id", "id=AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "known-token"],
    // Temporary (STS) key ids start with ASIA.
    ["aws temp key id", "ASIAY34FZKBOKMUTVV7A used", "ASIAY34FZKBOKMUTVV7A", "known-token"],
    // AWS secret access key recognised by its key name in context.
    [
      "aws secret key",
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "sensitive-pair",
    ],
    // GitHub classic personal access token.
    ["github ghp", "token ghp_1234567890abcdefghijklmnopqrstuvwxyz", "ghp_1234567890", "known-token"],
    // GitHub installation token.
    ["github ghs", "x ghs_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 y", "ghs_ABCDEF", "known-token"],
    // GitHub fine-grained token.
    [
      "github pat",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
      "github_pat_11",
      "known-token",
    ],
    // Slack bot token.
    ["slack", "SLACK xoxb-123456789012-abcdefABCDEF", "xoxb-123456789012", "known-token"],
    // JWT with a signature.
    [
      "jwt",
      "got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok",
      "eyJhbGciOiJIUzI1NiJ9",
      "jwt",
    ],
    // Unsigned JWT (alg none) still carries claims.
    ["jwt unsigned", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", "eyJzdWIiOiJhZG1pbiJ9", "jwt"],
    // PEM private key, header to footer.
    [
      "pem",
      "k: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n",
      "MIIEpAIBAAKCAQEA",
      "private-key",
    ],
    // OpenSSH and PKCS#8 labels.
    [
      "pem openssh",
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC\n-----END OPENSSH",
      "b3BlbnNzaC",
      "private-key",
    ],
    // A PEM key cut off before its END line is masked to the end (fail closed).
    ["pem cut", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg", "MIIEvQIBADANBg", "private-key"],
    // URL password, scheme/user/host kept.
    ["url", "dsn postgres://app:s3cr3t@db.internal:5432/x", "s3cr3t", "url-password"],
    // A password containing '@' is masked up to the last '@' of the authority.
    ["url at", "redis://u:p@ss@cache:6379", "p@ss", "url-password"],
    // Bearer token in a header.
    ["bearer", "Authorization: Bearer abc123.def456-ghi", "abc123.def456-ghi", "bearer-token"],
    // Basic credentials.
    ["basic", "authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA==", "bearer-token"],
    // password key with a short value still masked.
    ["password", "login failed password=hunter2 for bob", "hunter2", "sensitive-pair"],
    // JSON pair.
    ["json pair", '{"client_secret":"9f8e7d6c5b4a3f2e1d0c"}', "9f8e7d6c5b4a3f2e1d0c", "sensitive-pair"],
    // YAML pair with a camelCase key.
    ["yaml pair", "  apiKey: Zk3pQ9xLm2Rt7Vb1", "Zk3pQ9xLm2Rt7Vb1", "sensitive-pair"],
  ])("%s fires", (_name, text, secret, kind) => {
    const masked = masker.maskText(text);
    expect(masked).toMatch(MASK);
    expect(masked).not.toContain(secret);
    expect(findSecrets(text).length).toBeGreaterThan(0);
    // The detector named is among those that fire.
    expect(findSecretsByKind(text)).toContain(kind);
  });

  it.each([
    // Too short for an AWS key id.
    ["short AKIA", "AKIA1234"],
    // A longer word that merely starts with AKIA.
    ["long AKIA word", "AKIAIOSFODNN7EXAMPLEXX"],
    // Lower case is not a key id.
    ["lower akia", "akiaiosfodnn7example"],
    // ghp_ with a short body.
    ["short ghp", "ghp_short"],
    // Slack-looking prefix without the dash.
    ["xoxo", "xoxoxoxoxoxoxoxoxo"],
    // A public certificate is not a private key.
    ["certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"],
    // A URL with a user but no password.
    ["url user only", "https://user@example.com/path"],
    // A URL with a port, no userinfo.
    ["url port", "http://example.com:8080/a@b"],
    // Prose mentioning bearer/basic authentication.
    ["prose", "basic authentication failed; Bearer token expired"],
    // A generic key that is not sensitive, short value.
    ["key=abc", "key=abc"],
    // A sensitive key with a short, low-entropy value.
    ["token short", "token: abc"],
    // Secret *names* are references, not secrets.
    ["secretName", "secretName: my-tls-secret-name"],
    // Templates and references are not values.
    ["template", "password: ${DB_PASSWORD}"],
    // Already masked text stays as it is.
    ["masked", "password=<masked fp:0123456789ab>"],
    // A JWT-looking string with short segments.
    ["short jwt", "eyJa.eyJb.c"],
  ])("%s does not fire", (_name, text) => {
    expect(masker.maskText(text)).toBe(text);
  });

  it("keeps scheme, user and host of a URL", () => {
    // Only the password goes; the rest stays readable.
    expect(masker.maskText("postgres://u:p4ss@h/db")).toMatch(
      /^postgres:\/\/u:<masked fp:[0-9a-f]{12}>@h\/db$/,
    );
  });

  it("is idempotent", () => {
    // Masking masked text changes nothing (placeholders are not secrets).
    const once = masker.maskText("password=hunter2 Bearer abc123def456 AKIAIOSFODNN7EXAMPLE");
    expect(masker.maskText(once)).toBe(once);
  });

  it("gives a changed secret a different placeholder and the same secret the same one", () => {
    // Reviewers see a change through the fingerprint.
    const a = masker.maskText("password=hunter2");
    expect(masker.maskText("password=hunter2")).toBe(a);
    expect(masker.maskText("password=hunter3")).not.toBe(a);
  });
});

/** Kinds of every detector that fires, before merging. */
function findSecretsByKind(text: string): string[] {
  return SCANNERS.flatMap((scan) => detector(scan)(text)).map((span) => span.kind);
}

describe("maskText on YAML and JSON snippets", () => {
  it.each([
    // A YAML env entry with a sensitive name: the value on the next line is masked.
    [
      "yaml env",
      "env:\n- name: DB_PASSWORD\n  value: hunter2 with spaces\n- name: LOG_LEVEL\n  value: debug",
      "hunter2",
      "debug",
    ],
    // The JSON form of the same entry.
    ["json env", '[{"name":"API_TOKEN","value":"abc"},{"name":"MODE","value":"fast"}]', '"abc"', "fast"],
    // A block scalar under a sensitive key: every line of the block.
    [
      "block scalar",
      "data:\n  password: |\n    line-one\n    line-two\n  user: bob",
      "line-two",
      "user: bob",
    ],
    // A secretKeyRef's name does not pull in the next entry's value.
    [
      "valueFrom",
      "- name: API_TOKEN\n  valueFrom:\n    secretKeyRef:\n      name: api\n      key: token\n- name: LOG_LEVEL\n  value: debug",
      "<none>",
      "value: debug",
    ],
  ])("%s", (_name, text, secret, kept) => {
    const masked = masker.maskText(text);
    expect(masked).not.toContain(secret);
    expect(masked).toContain(kept);
  });
});

describe("maskText on dense text", () => {
  const lines = (n: number, tail = ""): string =>
    Array.from({ length: n }, (_, i) => `password=s3cr3t-${(i % 3) + 1}${tail}\n`).join("");

  it("masks thousands of secrets in one text the same whether the text is written to a buffer or concatenated", () => {
    // 3,000 secrets take the buffer path; an emoji (a character above 255) forces concatenation.
    const plain = masker.maskText(lines(3000));
    const wide = masker.maskText(lines(3000, " 😀"));
    expect(plain.split("\n").slice(0, 3)).toEqual([
      masker.maskText("password=s3cr3t-1"),
      masker.maskText("password=s3cr3t-2"),
      masker.maskText("password=s3cr3t-3"),
    ]);
    expect(plain).not.toContain("s3cr3t");
    expect(wide.replaceAll(" 😀", "")).toBe(plain);
  });

  it("gives a repeated secret its fingerprint after the text's budget of fingerprints is spent", () => {
    const distinct = Array.from({ length: 5000 }, (_, i) => `token=${i.toString(36)}Qx9${i}zz\n`).join("");
    const text = `password=hunter2\n${distinct}password=hunter2\n`;
    const out = masker.maskText(text).split("\n");
    expect(out[0]).toMatch(MASK);
    expect(out.at(-2)).toBe(out[0]);
    expect(out).toContain("token=<masked>");
  });
});
