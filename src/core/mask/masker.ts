import type { KubeObject } from "../model.js";
import { createFingerprint } from "./fingerprint.js";
import { maskKubeObject } from "./object-masking.js";
import { maskTextWith } from "./text-scanner.js";
import type { Masker, MaskerOptions } from "./types.js";

const FINGERPRINT_CACHE_SIZE = 4096;
const MAX_CACHED_VALUE = 4096;

/**
 * Creates the masker every report, comment, log line and audit record goes through.
 * `fingerprintKey` is the deployment's HMAC key; without one a random per-process key is used.
 */
export function createMasker(options: MaskerOptions = {}): Masker {
  const hmac = createFingerprint(options.fingerprintKey);
  // Texts repeat the same secret many times (logs, lists): remember recent fingerprints, bounded.
  const cache = new Map<string, string>();
  const fingerprint = (value: string): string => {
    let fp = cache.get(value);
    if (fp === undefined) {
      fp = hmac(value);
      if (cache.size >= FINGERPRINT_CACHE_SIZE) cache.clear();
      if (value.length <= MAX_CACHED_VALUE) cache.set(value, fp);
    }
    return fp;
  };
  const maskText = (text: string): string => maskTextWith(text, fingerprint);
  const maskIdentifier = (text: string): string => maskTextWith(text, fingerprint, { fallback: false });
  return {
    fingerprint,
    maskText,
    maskObject: (object: KubeObject) => maskKubeObject(object, { fingerprint, maskText, maskIdentifier }),
  };
}
