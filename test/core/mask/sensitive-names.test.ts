import { describe, expect, it } from "vitest";
import {
  NAME_VOCABULARY,
  NAME_WORDS,
  isSensitiveEnvName,
  isSensitiveKey,
  nameSensitivity,
  nameWords,
} from "../../../src/core/mask/sensitive-names.js";

describe("sensitive names", () => {
  it.each([
    // snake case.
    ["aws_secret_access_key", ["aws", "secret", "access", "key"]],
    // camelCase.
    ["apiKey", ["api", "key"]],
    // acronym followed by a word.
    ["HTTPToken", ["http", "token"]],
  ])("splits %s into words", (name, words) => {
    expect(nameWords(name)).toEqual(words);
  });

  it.each([
    // Each word the issue lists, as env names.
    ["DB_PASSWORD", true],
    ["PASSWD", true],
    ["CLIENT_SECRET", true],
    ["GITHUB_TOKEN", true],
    ["STRIPE_KEY", true],
    ["AZURE_CREDENTIAL", true],
    ["API_KEY", true],
    ["SSH_PRIVATE", true],
    ["BASIC_AUTH", true],
    ["SENTRY_DSN", true],
    ["DB_CONNECTION_STRING", true],
    // One long word still containing PASSWORD.
    ["DBPASSWORD", true],
    // Near-misses: KEY/AUTH/TOKEN only as part of another word.
    ["KEYBOARD_LAYOUT", false],
    ["AUTHOR", false],
    ["TOKENIZER_MODEL", false],
    ["LOG_LEVEL", false],
    // A path or name of a secret is not the secret.
    ["TOKEN_PATH", false],
    ["SECRET_NAME", false],
  ])("env %s → %s", (name, sensitive) => {
    expect(isSensitiveEnvName(name)).toBe(sensitive);
  });

  it.each([
    // Compound keys in text and fields.
    ["password", true],
    ["client_secret", true],
    ["apiKey", true],
    ["x-auth-token", true],
    // A bare "key" is too common in Kubernetes (selectors, secretKeyRef) to mean a secret.
    ["key", false],
    // References and descriptions.
    ["secretName", false],
    ["tokenPath", false],
    ["passwordSecretRef", false],
    // Unrelated.
    ["image", false],
  ])("key %s → %s", (name, sensitive) => {
    expect(isSensitiveKey(name)).toBe(sensitive);
  });
});

describe("NAME_WORDS, the search that rules names out before they are split", () => {
  it("covers every word, pair and joined form nameSensitivity decides by", () => {
    const search = new RegExp(NAME_WORDS, "i");
    expect(NAME_VOCABULARY.length).toBeGreaterThan(50);
    for (const word of NAME_VOCABULARY) expect([word, search.test(word)]).toEqual([word, true]);
  });

  it("keeps names whose sensitive word is split by separators or case", () => {
    expect(nameSensitivity("pa_ss_word")).toBe("password");
    expect(nameSensitivity("API-KEY")).toBe("secret");
    expect(nameSensitivity("k_e_y")).toBe("weak");
    expect(nameSensitivity("Q2hhbmdlTWU0NTY3ODkwYWJjZGVmZ2hpams")).toBe("none");
  });
});
