/**
 * The reconciler's secrets, from the environment only (never the config file or a flag): the
 * GitHub App private key and the deployment's fingerprint key. Messages name the variable, never
 * its value.
 */
import { readFileSync } from "node:fs";
import { normalisePrivateKey } from "../clients/config.js";

export interface ReconcilerSecrets {
  privateKey: string;
  fingerprintKey: string;
}

function fromEnvOrFile(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== "") return direct;
  const path = env[`${name}_PATH`];
  if (path === undefined || path === "") return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new Error(`reading ${name}_PATH (${path})`, { cause });
  }
}

export function readReconcilerSecrets(env: NodeJS.ProcessEnv = process.env): ReconcilerSecrets {
  const key = fromEnvOrFile(env, "PRIVATE_KEY");
  if (key === undefined)
    throw new Error("PRIVATE_KEY or PRIVATE_KEY_PATH is required (the GitHub App's private key)");
  const fingerprint = fromEnvOrFile(env, "COUNTERSIGN_FINGERPRINT_KEY")?.trim();
  // Digests of Secrets are keyed by it: without the gate's key nothing approved would match.
  if (fingerprint === undefined || fingerprint.length < 16) {
    throw new Error(
      "COUNTERSIGN_FINGERPRINT_KEY or COUNTERSIGN_FINGERPRINT_KEY_PATH is required (at least 16 characters; the same key as the gate's)",
    );
  }
  return { privateKey: normalisePrivateKey(key), fingerprintKey: fingerprint };
}
