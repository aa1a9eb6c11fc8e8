/**
 * Decides whether a field, env var or `key=value` key names a secret. Names are split into words
 * (separators and camelCase), so `KEYBOARD_LAYOUT` is not a key but `STRIPE_KEY` and `apiKey` are.
 */

/** Words that name a secret wherever they appear in a key. */
const STRONG_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "passphrase",
  "secret",
  "secrets",
  "token",
  "tokens",
  "apikey",
  "credential",
  "credentials",
  "creds",
  "auth",
  "authorization",
  "dsn",
  "privatekey",
  "secretkey",
  "accesskey",
  "clientsecret",
  "connectionstring",
  "cookie",
]);

/** Substrings that name a secret even inside one long word (`DBPASSWORD`, `MYAPIKEY`). */
const STRONG_SUBSTRINGS = [
  "password",
  "passwd",
  "apikey",
  "secretkey",
  "privatekey",
  "accesskey",
  "clientsecret",
  "connectionstring",
];

/** Adjacent word pairs that name a secret (`api key`, `private key`, `connection string`). */
const STRONG_PAIRS = new Set([
  "api key",
  "private key",
  "access key",
  "secret key",
  "signing key",
  "encryption key",
  "master key",
  "session key",
  "connection string",
]);

/** Env names only: bare words the issue lists (an env var named `KEY` or `*_PRIVATE` holds a secret). */
const ENV_ONLY_WORDS = new Set(["key", "keys", "private"]);

/**
 * Words that make a name only weakly sensitive: its value is masked when it looks random
 * (`key: 9f8Kx…`, `appKey`, `license_key`, `adminApi`), never when it reads as a word or a name
 * (`key: app.kubernetes.io/name` in a selector, `key: password` in a secretKeyRef).
 */
const WEAK_WORDS = new Set([
  "key",
  "keys",
  "private",
  "api",
  "license",
  "licence",
  "management",
  "master",
  "signing",
  "sig",
  "signature",
  "hmac",
  "salt",
  "seed",
  "sas",
  "bearer",
  "session",
  "webhook",
  "authtok",
]);

/** A last word that says the value is a reference to a secret, not the secret itself. */
const REFERENCE_SUFFIXES = new Set(["name", "names", "ref", "path", "file", "dir", "id", "ids", "enabled"]);
/** More last words that describe a secret rather than hold it (`PASSWORD_POLICY`, `TOKEN_TTL`, `authHeader`). */
const DESCRIPTIVE_SUFFIXES = new Set([
  "type",
  "types",
  "kind",
  "length",
  "mode",
  "policy",
  "ttl",
  "url",
  "uri",
  "urls",
  "endpoint",
  "required",
  "header",
  "algorithm",
  "alg",
  "timeout",
  "interval",
  "period",
  "duration",
  "expiry",
  "expiration",
  "lifetime",
  "age",
  "size",
  "bits",
  "scope",
  "scopes",
  "issuer",
  "audience",
  "provider",
  "store",
  "version",
  "format",
  "host",
  "hostname",
  "server",
  "port",
  "method",
  "methods",
  "disabled",
  "realm",
  "count",
  "min",
  "max",
  "regex",
  "pattern",
  "prefix",
  "suffix",
  "location",
  "backend",
  "engine",
  "class",
  "selector",
  "strategy",
  "source",
  "rotation",
  "namespace",
  "mount",
  "user",
  "username",
  "login",
  "email",
  "arn",
  "region",
  "role",
  "template",
  "label",
  "annotation",
  "field",
  "hint",
  "enforced",
]);

/** Longest name examined; longer names are cut (bounds the work on hostile input). */
const MAX_NAME = 128;

/** Splits `aws_secret_access_key`, `apiKey`, `HTTPToken` into lower-case words. */
export function nameWords(name: string): string[] {
  const words: string[] = [];
  let word = "";
  const s = name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    const lower = c >= 97 && c <= 122;
    const digit = c >= 48 && c <= 57;
    if (!upper && !lower && !digit) {
      if (word !== "") words.push(word.toLowerCase());
      word = "";
      continue;
    }
    if (upper && word !== "") {
      const prev = s.charCodeAt(i - 1);
      const prevLowerOrDigit = (prev >= 97 && prev <= 122) || (prev >= 48 && prev <= 57);
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      const acronymEnd = prev >= 65 && prev <= 90 && next >= 97 && next <= 122;
      if (prevLowerOrDigit || acronymEnd) {
        words.push(word.toLowerCase());
        word = "";
      }
    }
    word += s[i];
  }
  if (word !== "") words.push(word.toLowerCase());
  return words;
}

function namesSecret(words: string[], extraWords: ReadonlySet<string>): boolean {
  const joined = words.join("");
  if (STRONG_SUBSTRINGS.some((sub) => joined.includes(sub))) return true;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (STRONG_WORDS.has(w) || extraWords.has(w)) return true;
    if (i > 0 && STRONG_PAIRS.has(`${words[i - 1]} ${w}`)) return true;
  }
  return false;
}

const NO_WORDS: ReadonlySet<string> = new Set();

/** The last word marks a reference or a description, not a value (`SECRET_NAME`, `TOKEN_TTL`). */
function describes(words: readonly string[]): boolean {
  const last = words[words.length - 1];
  return last === undefined || REFERENCE_SUFFIXES.has(last) || DESCRIPTIVE_SUFFIXES.has(last);
}

/** A name that describes or refers to a secret rather than holding one (`secretName`, `tokenTTL`, `username`). */
export function isDescriptiveName(name: string): boolean {
  return describes(nameWords(name));
}

/** A key of a `key=value` pair or an object field whose value is a secret (`password`, `client_secret`, `apiKey`). */
export function isSensitiveKey(name: string): boolean {
  const words = nameWords(name);
  return !describes(words) && namesSecret(words, NO_WORDS);
}

/** An env var name whose value is a secret (`DB_PASSWORD`, `STRIPE_KEY`, `SENTRY_DSN`), not `KEYBOARD_LAYOUT`. */
export function isSensitiveEnvName(name: string): boolean {
  const words = nameWords(name);
  return !describes(words) && namesSecret(words, ENV_ONLY_WORDS);
}

const PASSWORD_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "passphrase",
  "requirepass",
  "masterauth",
  "passw",
  "pw",
]);

/** Keys whose values are passwords: masked even when short or low in entropy. */
export function isPasswordKey(name: string): boolean {
  const words = nameWords(name);
  return words.some((w) => PASSWORD_WORDS.has(w)) || words.join("").includes("password");
}

/**
 * How strongly a name says its value is a credential: `password` (mask any value), `secret` (mask
 * unless the value reads as a name, URL, path…), `weak` (mask when the value looks random), `none`.
 */
export type Sensitivity = "password" | "secret" | "weak" | "none";

/**
 * Every name nameSensitivity calls sensitive holds one of these in its letters and digits joined
 * (as nameWords splits and joins them): each word, pair and joined form it is decided by holds one
 * (test/core/mask/sensitive-names.test.ts checks every one). Literal alternatives: linear in a regex.
 */
export const NAME_WORDS =
  "pass|pw|secret|token|key|cred|auth|dsn|cookie|connection|private|api|licen|management|master|sig|hmac|salt|seed|sas|bearer|session|webhook";
const NAME_WORD = new RegExp(NAME_WORDS, "i");
const NOT_ALNUM = /[^A-Za-z0-9]+/g;
const ALNUM = /^[A-Za-z0-9]*$/;

/** Every word and joined form nameSensitivity decides by (for the test that NAME_WORDS covers them). */
export const NAME_VOCABULARY: readonly string[] = [
  ...STRONG_WORDS,
  ...STRONG_SUBSTRINGS,
  ...[...STRONG_PAIRS].map((pair) => pair.replace(" ", "")),
  ...WEAK_WORDS,
  ...PASSWORD_WORDS,
  "password",
  "key",
];

export function nameSensitivity(name: string): Sensitivity {
  // Most names hold no sensitive word: one native search rules them out before they are split
  // into words (distinct random keys, `<base64>=`, would each be split for nothing).
  const head = name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
  if (!NAME_WORD.test(ALNUM.test(head) ? head : head.replace(NOT_ALNUM, ""))) return "none";
  const words = nameWords(name);
  // `existingSecret`, `existingSecretPasswordKey`: Helm's convention for naming a Secret and its key.
  if (describes(words) || words[0] === "existing") return "none";
  // `ssh_public_key`, `stripePublishableKey`: public material, shown on purpose.
  if (words.includes("public") || words.includes("publishable")) return "none";
  if (isPasswordKey(name)) return "password";
  if (namesSecret(words, NO_WORDS)) return "secret";
  if (words.some((w) => WEAK_WORDS.has(w)) || words.join("").endsWith("key")) return "weak";
  return "none";
}

const MAX_REMEMBERED = 1024;

/** A per-scan cache of a name predicate: texts repeat the same few keys (bounded, so hostile input cannot grow it). */
export function remembered(predicate: (name: string) => boolean): (name: string) => boolean {
  const verdicts = new Map<string, boolean>();
  return (name) => {
    let verdict = verdicts.get(name);
    if (verdict === undefined) {
      verdict = predicate(name);
      if (verdicts.size < MAX_REMEMBERED) verdicts.set(name, verdict);
    }
    return verdict;
  };
}
