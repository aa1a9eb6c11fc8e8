/**
 * Judges a value by its name AND its shape: `TOKEN_ENDPOINT: https://…` is a URL, not a token;
 * `existingSecret: db-credentials` names a Secret; `STRIPE_KEY: pk_live_…` is publishable. The
 * verdict is `mask` (hide it whole), `keep` (show as is) or `scan` (show it through the text scanner).
 */
import { looksRandom } from "./randomness.js";
import { nameSensitivity } from "./sensitive-names.js";
import type { Sensitivity } from "./sensitive-names.js";

export type Verdict = "mask" | "keep" | "scan";

/** Longest value whose shape is examined; longer values under a sensitive name are masked. */
const MAX_JUDGED = 4096;

const BOOLEANS = new Set([
  "true",
  "false",
  "yes",
  "no",
  "on",
  "off",
  "enabled",
  "disabled",
  "none",
  "null",
  "~",
]);

const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y))+$/;
const QUANTITY = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E|m|n|u|%)?$/;
const URL_NO_USERINFO = /^[a-z][a-z0-9+.-]{0,31}:\/\/[^\s@/?#]*(?:[/?#][^\s]*)?$/i;
const PATH = /^(?:~|\.{1,2})?\/[^\s]*$/;
const HOSTNAME = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?(?::\d{1,5})?$/i;
const EMAIL = /^[^\s@]{1,64}@[a-z0-9.-]{1,253}\.[a-z]{2,63}$/i;
const HEADER_NAME = /^(?:[A-Z][a-z]*|[A-Z]+)(?:-(?:[A-Z][a-z]*|[A-Z]+))+$/;
/**
 * The name of a header that carries a credential, in any case (`x-api-key`, `X-Auth-Token`): the
 * value of `API_KEY_HEADER`-like settings, shown even where a wordy value is not (env vars).
 */
const SECRET_HEADER_NAME =
  /^x-(?:[a-z]{1,12}-){0,3}(?:api-?key|key|token|auth|authorization|secret|signature|sig)$/i;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d{0,12}:[^\s]+$/;
const PUBLISHABLE = /^(?:pk_(?:live|test)_|pk\.eyJ|FLWPUBK|pk-lf-|NEXT_PUBLIC_)/;
const PUBLIC_MATERIAL =
  /^(?:-----BEGIN (?:CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|X509 CRL|CERTIFICATE REQUEST)|ssh-(?:rsa|ed25519|dss) AAAA|ecdsa-sha2-nistp\d+ AAAA|sk-ssh-ed25519@openssh\.com AAAA)/;
const REFERENCE =
  /^(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|<masked(?: fp:[0-9a-f]+)?>|%\([^)]*\)s|\$[A-Z_][A-Z0-9_]*)$/;

/** What a value holds, from one pass: the regexes below run only where these say they could match. */
const HAS_DOT = 1;
const HAS_AT = 2;
const HAS_DASH = 4;
const HAS_COLON = 8;
/** Only `[a-z0-9.-]` (what a wordy name is made of). */
const WORDY_CHARS = 16;

function shapeFlags(value: string): number {
  let flags = WORDY_CHARS;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 46) flags |= HAS_DOT;
    else if (c === 64) flags |= HAS_AT;
    else if (c === 45) flags |= HAS_DASH;
    else if (c === 58) flags |= HAS_COLON;
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 45)) flags &= ~WORDY_CHARS;
  }
  return flags;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** URL_NO_USERINFO, tried only where it could match (a letter first, a `:`). */
function isPlainUrl(value: string, flags: number): boolean {
  return (flags & HAS_COLON) !== 0 && isLetter(value.charCodeAt(0)) && URL_NO_USERINFO.test(value);
}
/** PATH, tried only on `/`, `.` or `~` first. */
function isPath(value: string): boolean {
  const c = value.charCodeAt(0);
  return (c === 47 || c === 46 || c === 126) && PATH.test(value);
}
/** BOOLEANS, lower-cased only when short enough to be one. */
function isBoolean(value: string): boolean {
  return value.length <= 8 && BOOLEANS.has(value.toLowerCase());
}

/** A Kubernetes-style name made of readable words: `db-credentials`, `app.tls`, not `x8kd2-k3m9q…`. */
function isWordyName(value: string, flags = shapeFlags(value)): boolean {
  if ((flags & WORDY_CHARS) === 0 || value.length > 253 || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(value)) {
    return false;
  }
  if (!/[.-]/.test(value) && !/^[a-z]+$/.test(value)) return false;
  // Each part is letters only or short: a random suffix of a generated name is fine, a token is not.
  return value.split(/[.-]/).every((part) => /^[a-z]+$/.test(part) || part.length <= 5);
}

/**
 * Shapes that are never credentials by themselves (the text scanner still looks inside them). Each
 * regex is tried only when the characters it needs are there (first character, `.`, `@`, `-`, `:`).
 */
export function benignShape(value: string, flags = shapeFlags(value)): boolean {
  const c = value.charCodeAt(0);
  const digitFirst = isDigit(c);
  return (
    isBoolean(value) ||
    (digitFirst && DURATION.test(value)) ||
    ((digitFirst || c === 43 || c === 45) && QUANTITY.test(value)) ||
    isPlainUrl(value, flags) ||
    isPath(value) ||
    ((flags & HAS_DOT) !== 0 && HOSTNAME.test(value)) ||
    ((flags & HAS_AT) !== 0 && EMAIL.test(value)) ||
    ((flags & HAS_DASH) !== 0 && c >= 65 && c <= 90 && HEADER_NAME.test(value)) ||
    (c === 97 && ARN.test(value)) ||
    ((c === 112 || c === 70 || c === 78) && PUBLISHABLE.test(value)) ||
    ((c === 45 || c === 115 || c === 101) && PUBLIC_MATERIAL.test(value))
  );
}

/** Empty, or a reference to where the value comes from (`${DB_PASSWORD}`, `{{ .token }}`). */
export function isReference(value: string): boolean {
  const v = value.trim();
  if (v === "") return true;
  const c = v.charCodeAt(0);
  // Every reference starts with `$`, `{`, `<` or `%`.
  return (c === 36 || c === 123 || c === 60 || c === 37) && REFERENCE.test(v);
}

/** The verdict for `value` under `name` (an env var name, a field key, a `key=` key). */
export function judge(
  name: string,
  value: string,
  sensitivity: Sensitivity = nameSensitivity(name),
  /** Whether a value reading as a name (`db-credentials`) is benign; env vars say no: `API_TOKEN=abc` is a token. */
  wordyIsBenign = true,
): Verdict {
  if (sensitivity === "none") return "scan";
  if (isReference(value)) return "keep";
  if (value.length > MAX_JUDGED) return "mask";
  const v = value.trim();
  switch (sensitivity) {
    case "password":
      // A password can be any word; only a URL, a path or a flag value says it is not one.
      // One character: punctuation or a placeholder (`password: |`), not a password.
      return v.length < 2 || isPlainUrl(v, shapeFlags(v)) || isPath(v) || isBoolean(v) ? "scan" : "mask";
    case "secret": {
      const flags = shapeFlags(v);
      return benignShape(v, flags) ||
        ((flags & HAS_DASH) !== 0 && SECRET_HEADER_NAME.test(v)) ||
        (wordyIsBenign && isWordyName(v, flags))
        ? "scan"
        : "mask";
    }
    case "weak": {
      // looksRandom first: it is the cheap test most values fail.
      if (!looksRandom(v, 0, v.length, 8)) return "scan";
      const flags = shapeFlags(v);
      return !benignShape(v, flags) && !isWordyName(v, flags) ? "mask" : "scan";
    }
  }
}
