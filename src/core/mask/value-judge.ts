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
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d{0,12}:[^\s]+$/;
const PUBLISHABLE = /^(?:pk_(?:live|test)_|pk\.eyJ|FLWPUBK|pk-lf-|NEXT_PUBLIC_)/;
const PUBLIC_MATERIAL =
  /^(?:-----BEGIN (?:CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|X509 CRL|CERTIFICATE REQUEST)|ssh-(?:rsa|ed25519|dss) AAAA|ecdsa-sha2-nistp\d+ AAAA|sk-ssh-ed25519@openssh\.com AAAA)/;
const REFERENCE =
  /^(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|<masked(?: fp:[0-9a-f]+)?>|%\([^)]*\)s|\$[A-Z_][A-Z0-9_]*)$/;

/** A Kubernetes-style name made of readable words: `db-credentials`, `app.tls`, not `x8kd2-k3m9q…`. */
function isWordyName(value: string): boolean {
  if (value.length > 253 || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(value)) return false;
  if (!/[.-]/.test(value) && !/^[a-z]+$/.test(value)) return false;
  // Each part is letters only or short: a random suffix of a generated name is fine, a token is not.
  return value.split(/[.-]/).every((part) => /^[a-z]+$/.test(part) || part.length <= 5);
}

/** Shapes that are never credentials by themselves (the text scanner still looks inside them). */
export function benignShape(value: string): boolean {
  return (
    BOOLEANS.has(value.toLowerCase()) ||
    DURATION.test(value) ||
    QUANTITY.test(value) ||
    URL_NO_USERINFO.test(value) ||
    PATH.test(value) ||
    HOSTNAME.test(value) ||
    EMAIL.test(value) ||
    HEADER_NAME.test(value) ||
    ARN.test(value) ||
    PUBLISHABLE.test(value) ||
    PUBLIC_MATERIAL.test(value)
  );
}

/** Empty, or a reference to where the value comes from (`${DB_PASSWORD}`, `{{ .token }}`). */
export function isReference(value: string): boolean {
  const v = value.trim();
  return v === "" || REFERENCE.test(v);
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
      return v.length < 2 || URL_NO_USERINFO.test(v) || PATH.test(v) || BOOLEANS.has(v.toLowerCase())
        ? "scan"
        : "mask";
    case "secret":
      return benignShape(v) || (wordyIsBenign && isWordyName(v)) ? "scan" : "mask";
    case "weak":
      return !benignShape(v) && !isWordyName(v) && looksRandom(v, 0, v.length, 8) ? "mask" : "scan";
  }
}
