import { createHmac, randomBytes } from "node:crypto";

/** Hex characters kept from the HMAC: 48 bits tell values apart in a report without helping a guesser. */
export const FINGERPRINT_HEX_CHARS = 12;

/** One random key per process, shared by every masker created without a key, so their fingerprints agree. */
let processKey: Uint8Array | undefined;

function defaultKey(): Uint8Array {
  processKey ??= randomBytes(32);
  return processKey;
}

/**
 * Builds the keyed fingerprint function: HMAC-SHA256 of the UTF-8 value, truncated hex.
 * Never a plain hash, so a low-entropy secret cannot be found by hashing guesses.
 */
export function createFingerprint(key?: Uint8Array | string): (value: string) => string {
  const bytes = key === undefined ? defaultKey() : typeof key === "string" ? Buffer.from(key, "utf8") : key;
  if (bytes.length === 0) throw new Error("creating the masker: the fingerprint key must not be empty");
  const keyCopy = Buffer.from(bytes);
  return (value: string) =>
    createHmac("sha256", keyCopy).update(value, "utf8").digest("hex").slice(0, FINGERPRINT_HEX_CHARS);
}
