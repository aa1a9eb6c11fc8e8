import type { KubeObject } from "../model.js";
import { createFingerprint } from "./fingerprint.js";
import { maskKubeObject } from "./object-masking.js";
import { maskTextWith } from "./text-scanner.js";
import type { Masker, MaskerOptions } from "./types.js";

const FINGERPRINT_CACHE_SIZE = 4096;
const MAX_CACHED_VALUE = 4096;
/** Masked short texts remembered per masker (bounded; the masking of a text never changes). */
const TEXT_CACHE_SIZE = 16_384;
const MAX_CACHED_TEXT = 512;

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
  // Objects repeat the same short strings (kinds, names, images, env values): remember their masked form.
  const remember = (scan: (text: string) => string): ((text: string) => string) => {
    const seen = new Map<string, string>();
    return (text) => {
      if (text.length > MAX_CACHED_TEXT) return scan(text);
      let masked = seen.get(text);
      if (masked === undefined) {
        masked = scan(text);
        if (seen.size >= TEXT_CACHE_SIZE) seen.clear();
        seen.set(text, masked);
      }
      return masked;
    };
  };
  const maskText = remember((text) => maskTextWith(text, fingerprint));
  const maskIdentifier = remember((text) => maskTextWith(text, fingerprint, { fallback: false }));
  return {
    fingerprint,
    maskText,
    maskObject: (object: KubeObject) => maskKubeObject(object, { fingerprint, maskText, maskIdentifier }),
  };
}
