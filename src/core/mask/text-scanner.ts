/**
 * maskText: runs every detector over the text (each linear), merges overlapping spans and replaces
 * each with a placeholder carrying the keyed fingerprint of what it hides.
 */
import { detectJwts, detectPrivateKeys, detectTokens } from "./credential-patterns.js";
import { detectBearerTokens, detectSensitivePairs, detectUrlPasswords } from "./context-patterns.js";
import type { Detector, Span } from "./span.js";
import { detectBlockScalars, detectEnvEntries } from "./yaml-patterns.js";

export const DETECTORS: readonly Detector[] = [
  detectPrivateKeys,
  detectTokens,
  detectJwts,
  detectUrlPasswords,
  detectBearerTokens,
  detectSensitivePairs,
  detectEnvEntries,
  detectBlockScalars,
];

/** The placeholder a masked value becomes: `<masked fp:1a2b3c4d5e6f>`. */
export function placeholder(fp: string): string {
  return `<masked fp:${fp}>`;
}

/** All spans of all detectors, sorted and merged where they overlap or touch. */
export function findSecrets(text: string): Span[] {
  const spans: Span[] = [];
  for (const detect of DETECTORS) for (const span of detect(text)) spans.push(span);
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span.start < last.end) {
      if (span.end > last.end) last.end = span.end;
    } else {
      merged.push({ ...span });
    }
  }
  return merged;
}

/** Replaces every secret in `text` with its placeholder. */
export function maskTextWith(text: string, fingerprint: (value: string) => string): string {
  const spans = findSecrets(text);
  if (spans.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const span of spans) {
    parts.push(text.slice(at, span.start), placeholder(fingerprint(text.slice(span.start, span.end))));
    at = span.end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}
