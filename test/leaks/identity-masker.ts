import type { Masker } from "../../src/core/mask/types.js";

/** What an unmasked pipeline would show: the control proving the leak check can see a leak. */
export const identityMasker: Masker = {
  maskObject: (object) => structuredClone(object),
  maskText: (text) => text,
  fingerprint: () => "000000000000",
};
