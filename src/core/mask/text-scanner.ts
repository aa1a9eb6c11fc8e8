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
import { HEX, has } from "./char-table.js";
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

/** What the random-token fallback calls on decoded base64: the secrets the decoded text holds. */
function scanDecoded(text: string, depth: number): Span[] {
  return findSecrets(text, depth).map((region) => ({ ...region, kind: "encoded-secret" }));
}

/** Spans in a text at most this long are ordered by packing each into one number (below). */
const PACKED_LIMIT = 2 ** 24;
/** From this many spans on, packing into a Float64Array beats sorting objects with a comparator. */
const PACK_FROM = 64;

/**
 * The merged regions of `spans` as a flat list `[start0, end0, start1, end1, …]`, in order,
 * overlapping spans joined. Hostile text yields hundreds of thousands of spans: each is packed
 * into one float (start · 2²⁴ + (2²⁴ − 1 − length), exact below 2⁵³) and sorted natively.
 */
function merge(spans: Span[], textLength: number): number[] {
  const flat: number[] = [];
  const add = (start: number, end: number): void => {
    const last = flat.length - 1;
    if (last > 0 && start < (flat[last] as number)) {
      if (end > (flat[last] as number)) flat[last] = end;
    } else {
      flat.push(start, end);
    }
  };
  if (spans.length < PACK_FROM || textLength >= PACKED_LIMIT) {
    spans.sort((x, y) => x.start - y.start || y.end - x.end);
    for (const span of spans) add(span.start, span.end);
    return flat;
  }
  const keys = new Float64Array(spans.length);
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as Span;
    keys[i] = span.start * PACKED_LIMIT + (PACKED_LIMIT - 1 - (span.end - span.start));
  }
  keys.sort();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as number;
    const start = Math.floor(key / PACKED_LIMIT);
    add(start, start + (PACKED_LIMIT - 1 - (key - start * PACKED_LIMIT)));
  }
  return flat;
}

/** A region of text to mask, `[start, end)`. */
export interface Region {
  start: number;
  end: number;
}

function detectAll(text: string, depth: number, options: ScanOptions): number[] {
  const spans: Span[] = [];
  for (const detect of DETECTORS) for (const span of detect(text)) spans.push(span);
  if (options.fallback !== false) {
    for (const span of detectRandomTokens(text, depth, scanDecoded)) spans.push(span);
  }
  const flat = merge(spans, text.length);
  return flat.length > 0 && text.includes("<masked") ? outsidePlaceholders(text, flat) : flat;
}

const FINGERPRINT_PLACEHOLDER_LENGTH = placeholder("0".repeat(12)).length;

/** The end of the placeholder starting at `at` (`<masked>` or `<masked fp:` + 12 hex + `>`), or -1. */
function placeholderEnd(text: string, at: number): number {
  if (text.startsWith(PLAIN_PLACEHOLDER, at)) return at + PLAIN_PLACEHOLDER.length;
  if (!text.startsWith("<masked fp:", at)) return -1;
  const end = at + FINGERPRINT_PLACEHOLDER_LENGTH;
  if (text.charCodeAt(end - 1) !== 62) return -1;
  for (let i = at + 11; i < end - 1; i++) if (!has(text.charCodeAt(i), HEX)) return -1;
  return end;
}

/**
 * Drops regions lying wholly inside a placeholder already in the text, so that masking masked
 * text changes nothing (`mysql -p<masked fp:…>` would otherwise mask `<masked`). A region
 * reaching outside a placeholder stays whole: it may hold a secret.
 */
function outsidePlaceholders(text: string, flat: number[]): number[] {
  const kept: number[] = [];
  let region = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf("<masked", from);
    if (at < 0 || region >= flat.length) break;
    const end = placeholderEnd(text, at);
    from = at + 7;
    if (end < 0) continue;
    while (region < flat.length && (flat[region] as number) < at) {
      kept.push(flat[region] as number, flat[region + 1] as number);
      region += 2;
    }
    while (region < flat.length && (flat[region] as number) < end && (flat[region + 1] as number) <= end)
      region += 2;
    from = end;
  }
  for (; region < flat.length; region += 2) kept.push(flat[region] as number, flat[region + 1] as number);
  return kept;
}

/** All spans of all detectors, sorted and merged where they overlap. */
export function findSecrets(text: string, depth = 0, options: ScanOptions = {}): Region[] {
  const flat = detectAll(text, depth, options);
  const regions: Region[] = [];
  for (let i = 0; i < flat.length; i += 2)
    regions.push({ start: flat[i] as number, end: flat[i + 1] as number });
  return regions;
}

/**
 * Distinct secrets one text shows with a fingerprint. Each fingerprint is an HMAC (~2 µs): a
 * hostile text of a million distinct random tokens would otherwise be hashed for seconds. Past
 * the budget a secret is still masked, as `<masked>`: nobody compares thousands of fingerprints
 * in one text, and the text stays as fast to mask as any other.
 */
export const FINGERPRINTS_PER_TEXT = 4096;

/** What a secret becomes once the text's fingerprint budget is spent. */
export const PLAIN_PLACEHOLDER = "<masked>";

/** Replaces every secret in `text` with its placeholder. */
export function maskTextWith(
  text: string,
  fingerprint: (value: string) => string,
  options: ScanOptions = {},
): string {
  const flat = detectAll(text, 0, options);
  if (flat.length === 0) return text;
  let out = "";
  // Placeholders of this text by secret: a secret repeated in the text is hashed once.
  const seen = new Map<string, string>();
  let at = 0;
  for (let i = 0; i < flat.length; i += 2) {
    const start = flat[i] as number;
    const end = flat[i + 1] as number;
    const secret = text.slice(start, end);
    let shown = seen.get(secret);
    if (shown === undefined) {
      shown = seen.size < FINGERPRINTS_PER_TEXT ? placeholder(fingerprint(secret)) : PLAIN_PLACEHOLDER;
      seen.set(secret, shown);
    }
    out += text.slice(at, start) + shown;
    at = end;
  }
  return out + text.slice(at);
}
