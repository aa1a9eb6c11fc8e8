import type { KubeObject } from "../model.js";

/**
 * Masks secrets out of everything people or logs read: comments, check runs, log lines,
 * audit records. Implemented by `createMasker` in ./masker.ts.
 */
export interface Masker {
  /** A deep copy of `object` with every secret value replaced (Secret data, sensitive env, credential patterns, embedded objects). */
  maskObject(object: KubeObject): KubeObject;
  /** `text` with every credential-looking substring replaced; linear time on hostile input. */
  maskText(text: string): string;
  /** Keyed fingerprint (HMAC-SHA256, truncated) of a secret value: shows that it changed, never what it is. */
  fingerprint(value: string): string;
}

export interface MaskerOptions {
  /** HMAC key of the deployment. When absent a random per-process key is used (fingerprints then differ between processes). */
  fingerprintKey?: Uint8Array | string;
}
