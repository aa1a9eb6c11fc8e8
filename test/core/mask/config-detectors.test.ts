import { describe, expect, it } from "vitest";
import { NAME_WORDS, RangeMemo } from "../../../src/core/mask/config-memo.js";
import {
  detectDirectives,
  detectMarkupSecrets,
  detectQuotedPairs,
} from "../../../src/core/mask/config-patterns.js";
import { nameSensitivity } from "../../../src/core/mask/sensitive-names.js";
import { detectShellSecrets } from "../../../src/core/mask/shell-patterns.js";
import type { Detector } from "../../../src/core/mask/span.js";
import { detectBlockScalars, detectEnvEntries } from "../../../src/core/mask/yaml-patterns.js";

/** The texts a detector's spans cover. */
function found(detect: Detector, text: string): string[] {
  return detect(text).map((s) => text.slice(s.start, s.end));
}

describe("config, YAML and shell detectors (candidates found natively, then read once)", () => {
  it.each([
    ["redis", "bind 0.0.0.0\nrequirepass s3cr3t-Pa55\nmaxmemory 2gb\n", ["s3cr3t-Pa55"]],
    ["first line", "requirepass s3cr3t-Pa55", ["s3cr3t-Pa55"]],
    ["compound name", "[OUTPUT]\n    Name  es\n    HTTP_Passwd Xk9fQ2LmP8vR3tZ7\n", ["Xk9fQ2LmP8vR3tZ7"]],
    ["tab separated", "\n\tapi_key\tXk9fQ2LmP8vR3tZ7wQ", ["Xk9fQ2LmP8vR3tZ7wQ"]],
    ["prose", "\npassword is required\n", []],
    ["not a secret name", "\nlog_level debug\n", []],
    ["netrc", "x\nmachine api.example.com login bob password hunter2\n", ["hunter2"]],
    ["insecure-password", "userlist admins\n  user admin insecure-password hunter2\n", ["hunter2"]],
    ["pgpass", "# db\ndb.internal:5432:app:app:hunter2\n", ["hunter2"]],
    ["pgbouncer", '# users\n"app" "hunter2"\n', ["hunter2"]],
    [
      "nginx header",
      'location / {\n  proxy_set_header X-Upstream-Key "Xk9fQ2LmP8vR3tZ7wQ";\n}',
      // The closing quote goes with the value (the last word is read up to it).
      ['Xk9fQ2LmP8vR3tZ7wQ"'],
    ],
    ["quoted name", '\n"api_key" Xk9fQ2LmP8vR3tZ7wQ', ["Xk9fQ2LmP8vR3tZ7wQ"]],
    ["blank lines only", "\n\n\n   \n\t\n", []],
  ])("directives: %s", (_name, text, expected) => {
    expect(found(detectDirectives, text)).toEqual(expected);
  });

  it("markup: an element and a key/value attribute pair", () => {
    const text =
      '<server><password>hunter2</password></server>\n<add key="StorageKey" value="Xk9fQ2LmP8vR3tZ7wQ" />';
    expect(found(detectMarkupSecrets, text)).toEqual(["hunter2", "Xk9fQ2LmP8vR3tZ7wQ"]);
  });

  it("quoted pairs: define() and setRequestHeader(), not a neutral name", () => {
    const text = `define( 'AUTH_KEY', 'Xk9fQ2LmP8vR3tZ7wQ' );\nxhr.setRequestHeader("X-Api-Key", "s3cr3tXk9fQ2LmP8");\nf('color', 'red')`;
    expect(found(detectQuotedPairs, text)).toEqual(["Xk9fQ2LmP8vR3tZ7wQ", "s3cr3tXk9fQ2LmP8"]);
  });

  it("env entries and block scalars", () => {
    expect(
      found(detectEnvEntries, "- name: DB_PASSWORD\n  value: hunter2\n- name: LOG_LEVEL\n  value: debug"),
    ).toEqual(["hunter2"]);
    expect(found(detectBlockScalars, "a: 1\ntoken: |\n  abc\n  def\nb: 2\n")).toEqual(["  abc\n  def"]);
  });

  it.each([
    ["docker login", "docker login -u ci -p hunter2 registry.example.com", ["hunter2"]],
    ["mysql attached", "mysql -h db -u root -phunter2 app", ["hunter2"]],
    ["vault login", "vault login Xk9fQ2LmP8vR3tZ7wQ && vault kv get secret/app", ["Xk9fQ2LmP8vR3tZ7wQ"]],
    ["curl user", "curl -fsS -u ci:hunter2 https://nexus.example.com/", ["hunter2"]],
    ["secret flag", "run --anthropic-key Xk9fQ2LmP8vR3tZ7wQ --port 8080", ["Xk9fQ2LmP8vR3tZ7wQ"]],
    ["no tool, no flag", "a".repeat(1000), []],
  ])("shell: %s", (_name, text, expected) => {
    expect([...new Set(found(detectShellSecrets, text))]).toEqual(expected);
  });

  // The candidate regexes look for these words before asking nameSensitivity: every name it calls
  // sensitive must hold one (if sensitive-names.ts learns a word, NAME_WORDS must learn it too).
  it.each([
    "password",
    "DB_PASSWORD",
    "passwd",
    "PW",
    "pwd",
    "passphrase",
    "client_secret",
    "GITHUB_TOKEN",
    "apiKey",
    "x-api-key",
    "AZURE_CREDENTIAL",
    "creds",
    "BASIC_AUTH",
    "SENTRY_DSN",
    "DB_CONNECTION_STRING",
    "session_cookie",
    "SSH_PRIVATE",
    "license_key",
    "management",
    "masterauth",
    "signing_key",
    "sig",
    "hmac",
    "salt",
    "seed",
    "sas",
    "bearer",
    "webhook",
    "authtok",
    "licence",
    "adminApi",
  ])("%s is sensitive and holds a candidate word", (name) => {
    expect(nameSensitivity(name)).not.toBe("none");
    expect(new RegExp(NAME_WORDS, "i").test(name)).toBe(true);
  });

  it("the range cache answers as its function, for any key and after evictions", () => {
    const memo = new RangeMemo((s) => s.toUpperCase(), 4);
    const text = "alpha beta gamma delta epsilon alpha beta";
    const words = [...text.matchAll(/\w+/g)];
    for (let round = 0; round < 3; round++) {
      for (const w of words) {
        const start = w.index;
        expect(memo.get(text, start, start + w[0].length)).toBe(w[0].toUpperCase());
      }
    }
  });
});
