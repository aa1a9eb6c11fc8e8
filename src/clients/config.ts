/**
 * The environment, read once: every variable the gate, the reconciler and the CLI read is named
 * here, and `readConfig` takes one snapshot of them at start. Code below the commands receives
 * the snapshot (or values built from it), never `process.env`.
 */
import { readFileSync } from "node:fs";

/** Every variable countersign reads, with what it means (secrets marked: never echoed). */
export const ENVIRONMENT = {
  APP_ID: "the GitHub App's numeric id",
  PRIVATE_KEY: "the App's private key: PEM, PEM with \\n, or base64 of PEM (secret)",
  PRIVATE_KEY_PATH: "path of the App's .pem private key",
  WEBHOOK_SECRET: "the App's webhook secret, at least 16 characters (secret)",
  GHE_HOST: "GitHub Enterprise Server host name",
  GHE_PROTOCOL: "https (default) or http, for GHE_HOST",
  GITHUB_API_URL: "a full GitHub API base URL (overrides GHE_HOST)",
  PORT: "port to listen on",
  HOST: "address to listen on",
  WEBHOOK_PATH: "webhook path",
  LOG_LEVEL: "trace|debug|info|warn|error|fatal|silent",
  SHUTDOWN_TIMEOUT_SECONDS: "on SIGTERM/SIGINT, how long to finish work in progress",
  COUNTERSIGN_FINGERPRINT_KEY: "HMAC key for secret fingerprints in reports (secret)",
  AWS_REGION: "AWS region of the audit bucket and STS",
} as const;

export type EnvName = keyof typeof ENVIRONMENT;

/** One reading of the environment: only the variables above, an empty value counting as unset. */
export type EnvConfig = Readonly<Partial<Record<EnvName, string>>>;

/** Reads every variable countersign uses from `env`, once. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const out: Partial<Record<EnvName, string>> = {};
  for (const name of Object.keys(ENVIRONMENT) as EnvName[]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") out[name] = value;
  }
  return Object.freeze(out);
}

/** A PEM key from PRIVATE_KEY: PEM text, PEM with literal `\n`, or base64 of PEM (single-line env vars). */
export function normalisePrivateKey(value: string): string {
  const text = value.trim();
  if (text.includes("-----BEGIN")) return text.replace(/\\n/g, "\n");
  const decoded = Buffer.from(text, "base64").toString("utf8");
  if (decoded.includes("-----BEGIN")) return decoded;
  // Never echo the value: it is a credential.
  throw new Error("PRIVATE_KEY is neither a PEM key nor base64 of one");
}

/** What a GitHub App client needs (createGitHubAppClient). */
export interface GitHubAppSettings {
  appId: number;
  /** PEM text of the App's private key. */
  privateKey: string;
  /** API base URL (GitHub Enterprise Server or any GitHub-compatible API); undefined = api.github.com. */
  baseUrl?: string;
}

/** The GitHub App's id, key and API URL; every message names the variable, never a secret's value. */
export function gitHubAppSettings(config: EnvConfig): GitHubAppSettings {
  const appId = Number(config.APP_ID);
  if (config.APP_ID === undefined || !Number.isSafeInteger(appId) || appId <= 0) {
    throw new Error("APP_ID must be the GitHub App's numeric id");
  }
  let privateKey: string;
  if (config.PRIVATE_KEY !== undefined) privateKey = normalisePrivateKey(config.PRIVATE_KEY);
  else if (config.PRIVATE_KEY_PATH !== undefined) {
    try {
      privateKey = normalisePrivateKey(readFileSync(config.PRIVATE_KEY_PATH, "utf8"));
    } catch (cause) {
      throw new Error(`reading the private key from PRIVATE_KEY_PATH (${config.PRIVATE_KEY_PATH})`, {
        cause,
      });
    }
  } else throw new Error("PRIVATE_KEY or PRIVATE_KEY_PATH is required");
  const settings: GitHubAppSettings = { appId, privateKey };
  const baseUrl = config.GITHUB_API_URL?.replace(/\/+$/, "") || gitHubBaseUrl(config);
  if (baseUrl !== undefined) settings.baseUrl = baseUrl;
  return settings;
}

/** The API base URL for GitHub Enterprise Server (`GHE_HOST`, `GHE_PROTOCOL`), or undefined for github.com. */
export function gitHubBaseUrl(env: { GHE_HOST?: string; GHE_PROTOCOL?: string }): string | undefined {
  const host = env.GHE_HOST?.trim();
  if (host === undefined || host === "") return undefined;
  const protocol = (env.GHE_PROTOCOL ?? "https").trim().replace(/:$/, "");
  if (protocol !== "https" && protocol !== "http") {
    throw new Error(`GHE_PROTOCOL must be https or http, got "${protocol}"`);
  }
  if (/[/\s@]/.test(host))
    throw new Error(`GHE_HOST must be a host name (optionally with :port), got "${host}"`);
  return `${protocol}://${host}/api/v3`;
}
