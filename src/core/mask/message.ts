/**
 * Messages from other systems (an API server's rejection, an admission webhook's denial) quote the
 * values they reject. They are masked as text, with the same scanner as everything else.
 */
import type { Masker } from "./types.js";

/** Longest message kept; the rest is cut (a webhook can answer with megabytes). */
export const MAX_MESSAGE_CHARS = 64 * 1024;

/** `text` from another system, masked and bounded, ready for a status, comment or audit record. */
export function maskMessage(masker: Pick<Masker, "maskText">, text: string): string {
  const bounded = text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
  return masker.maskText(bounded);
}
