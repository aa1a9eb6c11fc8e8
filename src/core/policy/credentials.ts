/** Credential heuristics for env vars written into manifests (names and known value formats). */
import { containers } from "./helpers.js";

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An env var set to a literal value that looks like a credential, with its field path. */
export interface SecretEnv {
  path: string;
  container: string;
  env: string;
}

/**
 * Env vars of every container whose literal `value` looks like a credential: by name
 * (DB_PASSWORD, API_KEY...) or by value format. `valueFrom` references are fine. Values are never returned.
 */
export function secretEnv(object: unknown): SecretEnv[] {
  const out: SecretEnv[] = [];
  for (const c of containers(object)) {
    const env = c.spec["env"];
    if (!Array.isArray(env)) continue;
    for (const e of env) {
      if (!isObj(e) || typeof e["name"] !== "string" || typeof e["value"] !== "string" || e["value"] === "")
        continue;
      const value = e["value"];
      if (secretLikeValue(value) || (secretLikeName(e["name"]) && !plainSetting(e["name"], value))) {
        out.push({ path: `${c.path}.env[name=${e["name"]}].value`, container: c.name, env: e["name"] });
      }
    }
  }
  return out;
}

/** `$(DB_PASSWORD)`: Kubernetes expands it from another env var, so it is a reference, not a literal. */
const ENV_REFERENCE = /^(\$\([A-Za-z_][A-Za-z0-9_.-]*\))+$/;
const SWITCH = /^(true|false|yes|no|on|off|enabled|disabled|none|required|optional)$/i;
/** A count or a duration: `3600`, `30s`, `1h`. */
const QUANTITY = /^\d{1,9}(\.\d+)?(ms|s|m|h|d)?$/;
const PASSWORD_NAME = /pass|pwd|pin($|_)/i;
const POINTER_NAME = /_(name|file|path|dir|ref)$/i;

/**
 * Values that name a setting rather than hold a credential, for credential-like names
 * (SECRET_NAME=db-creds, AUTH_ENABLED=true, TOKEN_TTL=3600, AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/...,
 * PGPASSWORD=$(DB_PASSWORD)): reporting them would teach reviewers to ignore the rule. A number
 * still counts as a credential under a password-like name (PIN=1234).
 */
function plainSetting(name: string, value: string): boolean {
  // SECRET_NAME=db-creds, TOKEN_FILE=token.txt: the name says the value only points at the credential.
  if (POINTER_NAME.test(name)) return true;
  const v = value.trim();
  if (ENV_REFERENCE.test(v) || SWITCH.test(v)) return true;
  if (QUANTITY.test(v)) return !PASSWORD_NAME.test(name);
  return /^\/[^\s:]*$/.test(v);
}

const SECRET_NAME =
  /pass(word|wd)?($|_)|secret|token|api_?key|private_?key|access_?key|credential|(^|_)auth($|_)/i;
const SECRET_VALUE =
  /^(AKIA|ASIA)[0-9A-Z]{16}$|^gh[pousr]_[A-Za-z0-9]{36,}|^github_pat_|^xox[abprs]-|-----BEGIN [A-Z ]*PRIVATE KEY-----|^sk_live_|^glpat-/;
/** `scheme://user:password@host`: the password group, checked so that `$(DB_PASSWORD)` stays a reference. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:([^/\s@]+)@/i;

/** An env var or key name that usually holds a credential (DB_PASSWORD, API_KEY, GITHUB_TOKEN...). */
export function secretLikeName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * A value in a known credential format (AWS access key id, GitHub/GitLab/Slack/Stripe tokens, PEM
 * private key) or a URL with a password in it (`postgres://app:s3cret@db/app`).
 */
export function secretLikeValue(value: string): boolean {
  if (SECRET_VALUE.test(value)) return true;
  const password = URL_PASSWORD.exec(value)?.[1];
  return password !== undefined && !ENV_REFERENCE.test(password);
}
