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
      if (secretLikeName(e["name"]) || secretLikeValue(e["value"])) {
        out.push({ path: `${c.path}.env[name=${e["name"]}].value`, container: c.name, env: e["name"] });
      }
    }
  }
  return out;
}

const SECRET_NAME =
  /pass(word|wd)?($|_)|secret|token|api_?key|private_?key|access_?key|credential|(^|_)auth($|_)/i;
const SECRET_VALUE =
  /^(AKIA|ASIA)[0-9A-Z]{16}$|^gh[pousr]_[A-Za-z0-9]{36,}|^github_pat_|^xox[abprs]-|-----BEGIN [A-Z ]*PRIVATE KEY-----|^sk_live_|^glpat-/;

/** An env var or key name that usually holds a credential (DB_PASSWORD, API_KEY, GITHUB_TOKEN...). */
export function secretLikeName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A value in a known credential format (AWS access key id, GitHub/GitLab/Slack/Stripe tokens, PEM private key). */
export function secretLikeValue(value: string): boolean {
  return SECRET_VALUE.test(value);
}
