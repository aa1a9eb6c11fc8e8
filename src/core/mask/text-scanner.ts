/**
 * maskText: runs every detector over the text (each linear), merges overlapping spans and replaces
 * each with a placeholder carrying the keyed fingerprint of what it hides.
 */
import { detectDirectives, detectMarkupSecrets, detectQuotedPairs } from "./config-patterns.js";
import { detectJwts, detectPrivateKeys } from "./credential-patterns.js";
import { detectBearerTokens, detectSensitivePairs, detectUrlPasswords } from "./context-patterns.js";
import { detectRandomTokens, detectRejectedValues } from "./entropy-patterns.js";
import {
  detectInfixTokens,
  detectPasswordHashes,
  detectQuerySecrets,
  detectWebhookUrls,
} from "./shape-patterns.js";
import { detectShellSecrets } from "./shell-patterns.js";
import type { Detector, Span } from "./span.js";
import { detectPrefixedTokens } from "./token-scanner.js";
import { detectBlockScalars, detectEnvEntries } from "./yaml-patterns.js";

/** The detectors by shape and by context; the random-token fallback runs after them (see findSecrets). */
export const DETECTORS: readonly Detector[] = [
  detectPrivateKeys,
  detectPrefixedTokens,
  detectJwts,
  detectUrlPasswords,
  detectWebhookUrls,
  detectQuerySecrets,
  detectInfixTokens,
  detectPasswordHashes,
  detectBearerTokens,
  detectSensitivePairs,
  detectEnvEntries,
  detectBlockScalars,
  detectDirectives,
  detectMarkupSecrets,
  detectQuotedPairs,
  detectShellSecrets,
  detectRejectedValues,
];

export interface ScanOptions {
  /** Run the random-token fallback (off for fields that name an identifier: `clientId`, `revision`). */
  fallback?: boolean;
}

/** The placeholder a masked value becomes: `<masked fp:1a2b3c4d5e6f>`. */
export function placeholder(fp: string): string {
  return `<masked fp:${fp}>`;
}

/** All spans of all detectors, sorted and merged where they overlap or touch. */
export function findSecrets(text: string, depth = 0, options: ScanOptions = {}): Span[] {
  const spans: Span[] = [];
  for (const detect of DETECTORS) for (const span of detect(text)) spans.push(span);
  if (options.fallback !== false) {
    for (const span of detectRandomTokens(text, depth, (inner, d) => findSecrets(inner, d))) spans.push(span);
  }
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
export function maskTextWith(
  text: string,
  fingerprint: (value: string) => string,
  options: ScanOptions = {},
): string {
  const spans = findSecrets(text, 0, options);
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
