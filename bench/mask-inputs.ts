/**
 * The inputs maskText is measured on: hostile shapes (each repeats what one detector looks for, so
 * every detector meets its own worst case) and realistic text. 10 MB each; deterministic.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const SIZE = 10_000_000;

function repeat(unit: string, size = SIZE): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** A small deterministic generator (xorshift), so every run measures the same text. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function randomWords(alphabet: string, length: number, separator: string, seed: number, prefix = ""): string {
  const next = random(seed);
  const parts: string[] = [];
  let size = 0;
  while (size < SIZE) {
    let word = prefix;
    for (let i = 0; i < length; i++) word += alphabet[Math.floor(next() * alphabet.length)];
    parts.push(word);
    size += word.length + separator.length;
  }
  return parts.join(separator).slice(0, SIZE);
}

/** The upstream manifests under test/fixtures/real-world, concatenated and repeated to 10 MB. */
function realWorldYaml(): string {
  const root = "test/fixtures/real-world";
  const texts: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(name)) texts.push(readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return repeat(texts.join("\n---\n"));
}

export type MaskInput = [name: string, make: () => string];

export const HOSTILE_INPUTS: MaskInput[] = [
  ["'a'", () => repeat("a")],
  ["newlines", () => repeat("\n")],
  ["spaces", () => repeat(" ")],
  ["'é' and emoji", () => repeat("é😀")],
  ["'-----BEGIN '", () => repeat("-----BEGIN ")],
  ["unterminated private keys", () => repeat("-----BEGIN PRIVATE KEY-----\n")],
  ["'eyJ'", () => repeat("eyJ")],
  ["'eyJa.'", () => repeat("eyJabcdefgh.")],
  ["'a://'", () => repeat("a://")],
  ["'https://u:'", () => repeat("https://u:")],
  ["'password='", () => repeat("password=")],
  ["':='", () => repeat(":=")],
  ["'a:a:'", () => repeat("a:a:")],
  ["'password '", () => repeat("password ")],
  ['\'"password": "\'', () => repeat('"password": "')],
  ["sensitive env names without values", () => repeat("- name: DB_PASSWORD\n")],
  ["empty sensitive block scalars", () => repeat("password: |\n")],
  ["deeply indented block scalar", () => "password: |\n" + repeat("  ", SIZE - 12)],
  ["'ghp_'", () => repeat("ghp_")],
  ["'sk-'", () => repeat("sk-")],
  ["'xoxb-'", () => repeat("xoxb-")],
  ["'AKIA'", () => repeat("AKIA")],
  ["'Bearer '", () => repeat("Bearer ")],
  ["'Authorization: Basic '", () => repeat("Authorization: Basic ")],
  ["'$2y$10$'", () => repeat("$2y$10$")],
  ["'user:$apr1$'", () => repeat("user:$apr1$")],
  ["'https://hooks.slack.com/services/'", () => repeat("https://hooks.slack.com/services/")],
  ["'?sig=&token=&'", () => repeat("?sig=&token=&")],
  ["'<password>'", () => repeat("<password>")],
  ['\'key="a" value="\'', () => repeat('key="a" value="')],
  ["\"define('AUTH_KEY', '\"", () => repeat("define('AUTH_KEY', '")],
  ["'proxy_set_header X-Api-Key '", () => repeat("proxy_set_header X-Api-Key ")],
  ["'mysql -p'", () => repeat("mysql -p")],
  ["'--password '", () => repeat("--password ")],
  ["'docker login -p '", () => repeat("docker login -p ")],
  ["'Invalid value: \"'", () => repeat('Invalid value: "')],
  ["'requirepass '", () => repeat("requirepass ")],
  ["'\\\\\"'", () => repeat('\\"')],
  ["one random base64 run", () => randomWords(B64, SIZE, "", 1)],
  ["random base64 words of 40", () => randomWords(B64, 40, " ", 2)],
  ["random base64 words of 19", () => randomWords(B64, 19, " ", 3)],
  ["distinct AWS key ids", () => randomWords(UPPER_DIGITS, 16, " ", 4, "AKIA")],
  ["same AWS key id", () => repeat("AKIAIOSFODNN7EXAMPLE ")],
  ["log lines with a secret each", () => repeat("ts=1 level=info msg=login user=bob password=hunter2\n")],
  ["weak keys without '=' ('key: abc')", () => repeat("key: abc\n")],
  ["distinct values under sensitive keys", () => randomWords(B64, 12, "\n", 5, "api_token: ")],
  // Base64 values that decode to configuration text: each one is worth a look inside.
  ["encoded config values", () => repeat(Buffer.from('{"a": "b", "c": 1}\n').toString("base64") + " ")],
  // A short-prefix rule's body with every class looksRandom needs, at every word start.
  ["'sk-a1B2'", () => repeat("sk-a1B2")],
  ["distinct rejected values", () => randomWords(B64.slice(0, 62), 12, '"\n', 5, 'Invalid value: "')],
  // Keys as one step of a path: every run is judged whole and by its longest base64 stretch.
  ["keys in paths", () => randomWords(B64, 40, "/v1 ", 6, "acme.io/")],
  // Distinct base64 keys one per line: each `<key>=` also reads as a key/value pair's key.
  ["base64 keys one per line", () => randomWords(B64, 43, "=\n", 7)],
  // The dense shapes above with a distinct secret each (a repeated text can be read once per period).
  ["'docker login -p ' distinct", () => randomWords(B64.slice(0, 62), 16, "\n", 8, "docker login -p ")],
  ["'Authorization: Basic ' distinct", () => randomWords(B64, 24, "\n", 9, "Authorization: Basic ")],
  ["define() distinct", () => randomWords(B64.slice(0, 62), 32, "');\n", 10, "define('AUTH_KEY', '")],
  [
    "proxy_set_header distinct",
    () => randomWords(B64.slice(0, 62), 32, '";\n', 11, 'proxy_set_header X-Api-Key "'),
  ],
  // A webhook marker without `hook` at every 20 characters (each was a regex match and a lookup).
  ["'api.telegram.org/bot'", () => repeat("api.telegram.org/bot")],
  // A distinct key on every line: no cache of key names helps.
  ["distinct keys", () => randomWords(B64.slice(0, 62), 12, ": v\n", 7)],
];

export const REALISTIC_INPUTS: MaskInput[] = [
  ["real-world manifests (YAML)", realWorldYaml],
  [
    "real-world manifests (JSON)",
    () => repeat(JSON.stringify({ items: realWorldYaml().slice(0, 200_000).split("\n") })),
  ],
];
